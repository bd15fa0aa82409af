/* pairs_span.h: the time the pairs of pairs.c and zmq_pairs.c ran, from
   the first pair's start to the last pair's end (each REQ thread takes
   its own times after the start barrier). */
#ifndef PAIRS_SPAN_H
#define PAIRS_SPAN_H

static double pairs_span(const double *began, const double *ended, int n)
{
    double t0 = began[0], t1 = ended[0];
    for (int i = 1; i < n; i++) {
        if (began[i] < t0)
            t0 = began[i];
        if (ended[i] > t1)
            t1 = ended[i];
    }
    return t1 - t0;
}

#endif
