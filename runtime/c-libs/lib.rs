//! Empty: this package only names the crates whose vendored C sources cpython.sh builds.
