//! The runtime build scripts stop on bad input with one message naming the step and the cause, and
//! the Debian fetch step (runtime/debian.sh) downloads exactly the files the build uses. The fetch
//! tests run against a fake apt-get and apt-helper, so they need no network.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn runtime_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../runtime")
}

/// Runs `script` in bash after sourcing `runtime/common.sh` (and `runtime/debian.sh`), with `env`
/// added; returns (success, stderr).
fn with_scripts(script: &str, env: &[(&str, &Path)]) -> (bool, String) {
    let runtime = runtime_dir();
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -euo pipefail; source '{}/common.sh'; source '{}/debian.sh'; {script}",
            runtime.display(),
            runtime.display()
        ))
        .envs(env.iter().map(|(k, v)| (k, v.as_os_str())))
        .output()
        .expect("bash runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn missing_tool_names_the_tool_and_the_fix() {
    let (ok, stderr) = with_scripts("step 'CPython'; require clang-19 no-such-compiler-xyz", &[]);
    assert!(!ok);
    assert!(
        stderr.contains("error in step \"CPython\": 'no-such-compiler-xyz' is missing: run runtime/toolchain.sh first"),
        "{stderr}"
    );
}

#[test]
fn failing_command_shows_its_log() {
    let (ok, stderr) = with_scripts(
        "step 'zlib for wasm32-wasip1'; logged \"$(mktemp)\" sh -c 'echo compiler exploded; exit 3'",
        &[],
    );
    assert!(!ok);
    assert!(stderr.contains("compiler exploded"), "{stderr}");
    assert!(stderr.contains("error in step \"zlib for wasm32-wasip1\": 'sh -c echo compiler exploded; exit 3' failed"), "{stderr}");
}

/// A fake Debian archive: what `apt-get source --print-uris` lists, and the files a download
/// finds (any other URI answers 404).
struct FakeArchive {
    root: PathBuf,
}

const MIRROR: &str = "http://archive.test/debian";
const ORIG: &str = "python3.14_3.14.8.orig.tar.xz";
const TARBALL: &[u8] = b"the pristine upstream tarball";

impl FakeArchive {
    fn new(name: &str) -> Self {
        let root = std::env::temp_dir().join(format!(
            "componentize-py-fetch-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        for dir in ["bin", "pool", "cache"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        // apt-get: `update` succeeds unless $FAKE_APT_UPDATE_FAILS; `--print-uris` prints the
        // listing file.
        script(
            &root.join("bin/apt-get"),
            &format!(
                r#"#!/bin/sh
for a in "$@"; do
  case "$a" in
    update) [ -z "$FAKE_APT_UPDATE_FAILS" ] || {{ echo "E: network is down" >&2; exit 100; }}; exit 0 ;;
    --print-uris) cat '{}/listing'; exit 0 ;;
  esac
done
echo "fake apt-get: unexpected $*" >&2; exit 1
"#,
                root.display()
            ),
        );
        // apt-helper download-file URI DEST: serves files from pool/, 404 for anything else, and
        // records every URI asked for.
        script(
            &root.join("bin/apt-helper"),
            &format!(
                r#"#!/bin/sh
echo "$2" >> '{root}/requested'
name=$(basename "$2")
if [ -f '{root}/pool/'"$name" ]; then cp '{root}/pool/'"$name" "$3"; exit 0; fi
echo "Err:1 $2"; echo "  404  Not Found"; echo "E: Failed to fetch $2  404  Not Found" >&2; exit 100
"#,
                root = root.display()
            ),
        );
        Self { root }
    }

    /// Sets what `--print-uris` lists: (file name, SHA256) pairs under the pool's python3.14 dir.
    fn lists(&self, files: &[(&str, &str)]) {
        let listing: String = files
            .iter()
            .map(|(name, sha)| {
                format!("'{MIRROR}/pool/main/p/python3.14/{name}' {name} 1234 SHA256:{sha}\n")
            })
            .collect();
        std::fs::write(self.root.join("listing"), listing).unwrap();
    }

    /// Puts a file in the pool, for downloads to find.
    fn serves(&self, name: &str, contents: &[u8]) {
        std::fs::write(self.root.join("pool").join(name), contents).unwrap();
    }

    /// Resolves and fetches the CPython tarball as cpython.sh does; returns (success, stderr).
    fn fetch(&self, extra_env: &[(&str, &Path)]) -> (bool, String) {
        let mut env = vec![
            ("COMPONENTIZE_PY_CACHE", self.root.join("cache")),
            ("COMPONENTIZE_PY_APT_GET", self.root.join("bin/apt-get")),
            (
                "COMPONENTIZE_PY_APT_HELPER",
                self.root.join("bin/apt-helper"),
            ),
            ("COMPONENTIZE_PY_DEBIAN_MIRROR", PathBuf::from(MIRROR)),
        ];
        env.extend(extra_env.iter().map(|(k, v)| (*k, v.to_path_buf())));
        let env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();
        with_scripts(
            "step 'fetch'; debian_indexes; \
             debian_orig_tarball \"$CACHE_ROOT/sources\" python3.14 forky sid",
            &env,
        )
    }

    fn fetched(&self) -> Option<Vec<u8>> {
        std::fs::read(self.root.join("cache/sources").join(ORIG)).ok()
    }

    fn requested(&self) -> String {
        std::fs::read_to_string(self.root.join("requested")).unwrap_or_default()
    }
}

impl Drop for FakeArchive {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The SHA256 of `data` in hex, as `sha256sum` (which the scripts use) prints it.
fn sha256_hex(data: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum runs");
    child.stdin.take().unwrap().write_all(data).unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8(output.stdout).unwrap()[..64].to_string()
}

fn script(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn fetch_takes_only_the_tarball_when_the_index_lists_a_newer_revision() {
    let archive = FakeArchive::new("revision");
    // A security revision whose .dsc and .debian.tar.xz answer 404 (as seen for zlib), listed
    // next to the unchanged upstream tarball.
    archive.lists(&[
        ("python3.14_3.14.8-2+deb13u1.dsc", &"1".repeat(64)),
        (ORIG, &sha256_hex(TARBALL)),
        ("python3.14_3.14.8-2+deb13u1.debian.tar.xz", &"2".repeat(64)),
    ]);
    archive.serves(ORIG, TARBALL);
    let (ok, stderr) = archive.fetch(&[]);
    assert!(ok, "{stderr}");
    assert_eq!(archive.fetched().as_deref(), Some(TARBALL));
    let requested = archive.requested();
    assert_eq!(requested.lines().count(), 1, "{requested}");
    assert!(requested.contains(ORIG), "{requested}");
    // A second run finds the verified file and downloads nothing.
    let (ok, stderr) = archive.fetch(&[]);
    assert!(ok, "{stderr}");
    assert_eq!(archive.requested().lines().count(), 1);
}

#[test]
fn fetch_stops_on_a_checksum_mismatch_and_keeps_nothing() {
    let archive = FakeArchive::new("mismatch");
    let listed = sha256_hex(TARBALL);
    archive.lists(&[(ORIG, &listed)]);
    archive.serves(ORIG, b"a tampered tarball");
    let (ok, stderr) = archive.fetch(&[]);
    assert!(!ok);
    assert!(
        stderr.contains(&format!(
            "error in step \"fetch\": checksum mismatch for {ORIG} from {MIRROR}/pool/main/p/python3.14/{ORIG}: Debian's index says {listed}, the download has {}",
            sha256_hex(b"a tampered tarball")
        )),
        "{stderr}"
    );
    assert_eq!(archive.fetched(), None);
    let leftovers = std::fs::read_dir(archive.root.join("cache/sources"))
        .unwrap()
        .count();
    assert_eq!(leftovers, 0, "a partial download was left behind");
}

#[test]
fn fetch_names_the_file_that_answers_404() {
    let archive = FakeArchive::new("missing");
    archive.lists(&[(ORIG, &sha256_hex(TARBALL))]);
    let (ok, stderr) = archive.fetch(&[]);
    assert!(!ok);
    assert!(
        stderr.contains(&format!(
            "error in step \"fetch\": downloading {ORIG} from {MIRROR}/pool/main/p/python3.14/{ORIG} failed: Failed to fetch"
        )) && stderr.contains("404  Not Found")
            && stderr.contains("and the mirror has no older 3.14.x source package of python3.14"),
        "{stderr}"
    );
    // Every older patch release was looked for, newest first, and nothing else.
    let requested = archive.requested();
    assert!(requested.starts_with(&format!("{MIRROR}/pool/main/p/python3.14/{ORIG}\n{MIRROR}/pool/main/p/python3.14/python3.14_3.14.7-1.dsc\n")), "{requested}");
    assert_eq!(requested.lines().count(), 1 + 8 * 3, "{requested}");
    assert_eq!(stderr.matches("error in step").count(), 1, "{stderr}");
}

/// An OpenPGP key made for a test, in its own GNUPGHOME, standing in for a Debian uploader's.
struct Uploader {
    home: PathBuf,
}

impl Uploader {
    fn new(root: &Path) -> Self {
        let home = root.join("gnupg");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
        let uploader = Self { home };
        uploader.gpg(&[
            "--quick-gen-key",
            "--passphrase",
            "",
            "Test Uploader <uploader@archive.test>",
            "ed25519",
            "sign",
            "never",
        ]);
        uploader
    }

    fn gpg(&self, args: &[&str]) -> Vec<u8> {
        let output = Command::new("gpg")
            .env("GNUPGHOME", &self.home)
            .args(["--batch", "--quiet", "--pinentry-mode", "loopback"])
            .args(args)
            .output()
            .expect("gpg runs");
        assert!(
            output.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }

    /// A keyring file holding the public key, for gpgv.
    fn keyring(&self) -> PathBuf {
        let path = self.home.join("uploaders.gpg");
        std::fs::write(&path, self.gpg(&["--export"])).unwrap();
        path
    }

    /// `text`, clear-signed.
    fn sign(&self, text: &str) -> Vec<u8> {
        let input = self.home.join("unsigned");
        std::fs::write(&input, text).unwrap();
        self.gpg(&["--clearsign", "--output", "-", input.to_str().unwrap()])
    }
}

impl Drop for Uploader {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", &self.home)
            .args(["--kill", "gpg-agent"])
            .status();
    }
}

const OLDER: &str = "python3.14_3.14.6.orig.tar.xz";
const OLDER_DSC: &str = "python3.14_3.14.6-2.dsc";

/// The .dsc of 3.14.6-2, naming `sha` as its upstream tarball's SHA256.
fn dsc(sha: &str) -> String {
    format!(
        "Format: 3.0 (quilt)\nSource: python3.14\nVersion: 3.14.6-2\nChecksums-Sha256:\n \
         {} 99 python3.14_3.14.6-2.debian.tar.xz\n {sha} {} {OLDER}\nFiles:\n 00 1 {OLDER}\n",
        "3".repeat(64),
        TARBALL.len()
    )
}

/// A fake archive whose index lists 3.14.8, which the mirror does not serve (not yet, or no
/// more); 3.14.7 is gone too, and 3.14.6-2's source package (the .dsc `make_dsc` gives, and
/// `tarball`) is there.
struct OlderRelease {
    // (Dropped first: its agent stops before the archive's folder goes.)
    _uploader: Uploader,
    archive: FakeArchive,
    keyring: PathBuf,
}

impl OlderRelease {
    fn new(name: &str, make_dsc: impl FnOnce(&Uploader) -> Vec<u8>, tarball: &[u8]) -> Self {
        let archive = FakeArchive::new(name);
        let uploader = Uploader::new(&archive.root);
        archive.lists(&[(ORIG, &sha256_hex(b"3.14.8"))]);
        archive.serves(OLDER_DSC, &make_dsc(&uploader));
        archive.serves(OLDER, tarball);
        let keyring = uploader.keyring();
        Self {
            _uploader: uploader,
            archive,
            keyring,
        }
    }

    /// The .dsc of 3.14.6-2 naming TARBALL, signed.
    fn signed(uploader: &Uploader) -> Vec<u8> {
        uploader.sign(&dsc(&sha256_hex(TARBALL)))
    }

    fn fetch(&self) -> (bool, String) {
        self.archive
            .fetch(&[("COMPONENTIZE_PY_DEBIAN_KEYRING", self.keyring.as_path())])
    }
}

#[test]
fn fetch_falls_back_to_the_newest_older_release_with_a_signed_dsc() {
    let release = OlderRelease::new("older", OlderRelease::signed, TARBALL);
    let (ok, stderr) = release.fetch();
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{ORIG} is listed in Debian forky but the mirror does not serve it"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("using {OLDER} (from the signed {OLDER_DSC})")),
        "{stderr}"
    );
    let sources = release.archive.root.join("cache/sources");
    assert_eq!(
        std::fs::read(sources.join(OLDER)).ok().as_deref(),
        Some(TARBALL)
    );
    let requested = release.archive.requested();
    let asked: Vec<&str> = requested
        .lines()
        .map(|l| l.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        asked,
        [
            ORIG,
            "python3.14_3.14.7-1.dsc",
            "python3.14_3.14.7-2.dsc",
            "python3.14_3.14.7-3.dsc",
            "python3.14_3.14.6-1.dsc",
            OLDER_DSC,
            OLDER
        ]
    );
    // A second run uses the checked .dsc and tarball: it only asks for the listed tarball again.
    let (ok, stderr) = release.fetch();
    assert!(ok, "{stderr}");
    assert_eq!(release.archive.requested().lines().count(), asked.len() + 1);
}

#[test]
fn fetch_refuses_an_older_release_whose_dsc_is_not_signed_by_an_uploader() {
    // Signed, then changed to name another tarball.
    let forged = |uploader: &Uploader| {
        let signed = String::from_utf8(OlderRelease::signed(uploader)).unwrap();
        signed
            .replace(&sha256_hex(TARBALL), &sha256_hex(b"forged"))
            .into_bytes()
    };
    let release = OlderRelease::new("unsigned", forged, b"forged");
    let (ok, stderr) = release.fetch();
    assert!(!ok);
    assert!(
        stderr.contains(&format!("error in step \"fetch\": {MIRROR}/pool/main/p/python3.14/{OLDER_DSC} has no valid signature by a Debian uploader (BAD signature")),
        "{stderr}"
    );
    let sources = release.archive.root.join("cache/sources");
    let kept: Vec<_> = std::fs::read_dir(&sources)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(kept.is_empty(), "{kept:?}");
}

#[test]
fn fetch_checks_an_older_tarball_against_its_signed_dsc() {
    let release = OlderRelease::new(
        "older-mismatch",
        OlderRelease::signed,
        b"a tampered tarball",
    );
    let (ok, stderr) = release.fetch();
    assert!(!ok);
    assert!(
        stderr.contains(&format!(
            "error in step \"fetch\": checksum mismatch for {OLDER} from {MIRROR}/pool/main/p/python3.14/{OLDER}: the signed {OLDER_DSC} says {}, the download has {}",
            sha256_hex(TARBALL),
            sha256_hex(b"a tampered tarball")
        )),
        "{stderr}"
    );
}

#[test]
fn fetch_says_when_the_index_lists_no_tarball() {
    let archive = FakeArchive::new("unlisted");
    archive.lists(&[("python3.14_3.14.8-1.dsc", &"1".repeat(64))]);
    let (ok, stderr) = archive.fetch(&[]);
    assert!(!ok);
    assert!(
        stderr.contains("error in step \"fetch\": no python3.14 source in Debian (forky sid): python3.14/sid: Debian's index lists no file matching python3.14_*.orig.tar.xz"),
        "{stderr}"
    ); // It stops there: nothing is downloaded, and there is one error.
    assert_eq!(archive.requested(), "");
    assert_eq!(stderr.matches("error in step").count(), 1, "{stderr}");
}

#[test]
fn fetch_says_when_the_indexes_cannot_be_fetched() {
    let archive = FakeArchive::new("offline");
    archive.lists(&[(ORIG, &sha256_hex(TARBALL))]);
    archive.serves(ORIG, TARBALL);
    let (ok, stderr) = archive.fetch(&[("FAKE_APT_UPDATE_FAILS", Path::new("1"))]);
    assert!(!ok);
    assert!(
        stderr.contains("error in step \"fetch\": apt-get update of the Debian indexes failed"),
        "{stderr}"
    );
    // Indexes fetched before still serve, with a warning.
    let (ok, stderr) = archive.fetch(&[]);
    assert!(ok, "{stderr}");
    std::fs::remove_file(archive.root.join("cache/sources").join(ORIG)).unwrap();
    let old = archive.root.join("cache/apt/updated");
    let status = Command::new("touch")
        .args(["-d", "3 days ago"])
        .arg(&old)
        .status()
        .unwrap();
    assert!(status.success());
    let (ok, stderr) = archive.fetch(&[("FAKE_APT_UPDATE_FAILS", Path::new("1"))]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("warning: refreshing the Debian indexes failed"),
        "{stderr}"
    );
}
