//! Gives the shared library upstream's SONAME, so programs linked against
//! `libnanomsg.so.5` load ours unchanged.
fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libnanomsg.so.5");
    println!("cargo:rerun-if-changed=build.rs");
}
