//! Gives the shared library upstream's SONAME, so programs linked against
//! `libnanomsg.so.5` load ours unchanged, and links the unwinder statically.
fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libnanomsg.so.5");
    // The panic guard of every C function (ffi::guard) unwinds with libgcc's
    // unwinder. Taken from libgcc_eh.a (PIC on Debian, private to the
    // library: a cdylib exports only the nn_* functions) instead of
    // libgcc_s.so.1, the library needs nothing but libc (`readelf -d`), and
    // its Debian package depends on libc6 alone. It is named before std's
    // `-lgcc_s`, so with `--as-needed` that one is left out. Not bundled
    // into libnanomsg.a: a static link gets libgcc's unwinder from the
    // compiler driver as any C program does.
    println!("cargo:rustc-link-lib=static:-bundle=gcc_eh");
    println!("cargo:rerun-if-changed=build.rs");
}
