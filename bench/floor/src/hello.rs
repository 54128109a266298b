//! Hello world as a `wasi:cli/command` component: the startup floor.

fn main() {
    println!("Hello, world!");
}
