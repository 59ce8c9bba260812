//! Rebuilds the binary when the built-in default theme changes: `include_dir!` embeds
//! `themes/default/`, and cargo does not watch those files by itself.

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
    println!("cargo:rerun-if-changed=src/scaffold");
}
