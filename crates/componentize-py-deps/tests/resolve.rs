//! The resolver over in-memory indexes: every case builds its wheels and pages in memory and
//! answers the resolver's requests from them.

use std::collections::BTreeMap;
use std::io::Write;
use std::str::FromStr;

use anyhow::{Result, bail};
use componentize_py_deps::{
    Credentials, Fetcher, Request, RequestKind, Resolver, Source, Stats, Step, Target, install,
    lock, locked, resolve::sha256_hex, resolve_with,
};
use pep508_rs::Requirement;

/// A wheel of the fake index.
struct Wheel {
    filename: String,
    requires: Vec<&'static str>,
    requires_python: Option<&'static str>,
    /// Whether the project page repeats `requires_python` (some indexes leave it out).
    python_on_page: bool,
    yanked: bool,
    extras: Vec<&'static str>,
    files: Vec<(&'static str, &'static [u8])>,
}

fn wheel(filename: &str, requires: &[&'static str]) -> Wheel {
    Wheel {
        filename: filename.into(),
        requires: requires.to_vec(),
        requires_python: None,
        python_on_page: true,
        yanked: false,
        extras: Vec::new(),
        files: Vec::new(),
    }
}

impl Wheel {
    fn name_version(&self) -> (String, String) {
        let mut parts = self.filename.split('-');
        (parts.next().unwrap().into(), parts.next().unwrap().into())
    }

    fn metadata(&self) -> String {
        let (name, version) = self.name_version();
        let mut text = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
        if let Some(python) = self.requires_python {
            text += &format!("Requires-Python: {python}\n");
        }
        for extra in &self.extras {
            text += &format!("Provides-Extra: {extra}\n");
        }
        for requirement in &self.requires {
            text += &format!("Requires-Dist: {requirement}\n");
        }
        text
    }

    fn bytes(&self) -> Vec<u8> {
        let (name, version) = self.name_version();
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let info = format!("{name}-{version}.dist-info");
        zip.start_file(format!("{info}/METADATA"), options).unwrap();
        zip.write_all(self.metadata().as_bytes()).unwrap();
        for (path, contents) in &self.files {
            zip.start_file(*path, options).unwrap();
            zip.write_all(contents).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }
}

/// An index at `http://<host>/simple` holding wheels, answering like a PEP 691 server.
struct Index {
    host: &'static str,
    wheels: Vec<Wheel>,
    /// Whether `.metadata` files are served (PEP 658).
    metadata_files: bool,
    /// Files whose served bytes differ from the hash on the page.
    corrupt: Vec<&'static str>,
    /// Wheels whose metadata file differs from the hash on the page.
    corrupt_metadata: Vec<&'static str>,
}

fn index(host: &'static str, wheels: Vec<Wheel>) -> Index {
    Index {
        host,
        wheels,
        metadata_files: true,
        corrupt: Vec::new(),
        corrupt_metadata: Vec::new(),
    }
}

impl Index {
    fn url(&self) -> String {
        format!("http://{}/simple", self.host)
    }

    fn file_url(&self, filename: &str) -> String {
        format!("http://{}/files/{filename}", self.host)
    }

    fn answer(&self, request: &Request) -> Option<Vec<u8>> {
        let prefix = format!("{}/", self.url());
        if let Some(name) = request.url.strip_prefix(&prefix) {
            assert_eq!(request.kind, RequestKind::Page);
            let name = name.trim_end_matches('/');
            let files: Vec<String> = self
                .wheels
                .iter()
                .filter(|w| w.name_version().0.replace('_', "-").to_lowercase() == name)
                .map(|w| {
                    format!(
                        r#"{{"filename": "{}", "url": "../../files/{}", "hashes": {{"sha256": "{}"}}, "core-metadata": {{"sha256": "{}"}}, "requires-python": {}, "yanked": {}}}"#,
                        w.filename,
                        w.filename,
                        sha256_hex(&w.bytes()),
                        sha256_hex(w.metadata().as_bytes()),
                        w.requires_python.filter(|_| w.python_on_page).map_or("null".into(), |p| format!("\"{p}\"")),
                        w.yanked
                    )
                })
                .collect();
            if files.is_empty() {
                return None;
            }
            return Some(
                format!(
                    r#"{{"meta": {{"api-version": "1.1"}}, "files": [{}]}}"#,
                    files.join(",")
                )
                .into_bytes(),
            );
        }
        let wheel = self.wheels.iter().find(|w| {
            request.url == self.file_url(&w.filename)
                || request.url == format!("{}.metadata", self.file_url(&w.filename))
        })?;
        match request.kind {
            RequestKind::Metadata if self.corrupt_metadata.contains(&wheel.filename.as_str()) => {
                Some(format!("{}Requires-Dist: evil\n", wheel.metadata()).into_bytes())
            }
            RequestKind::Metadata => self.metadata_files.then(|| wheel.metadata().into_bytes()),
            RequestKind::Wheel if self.corrupt.contains(&wheel.filename.as_str()) => {
                Some(b"corrupt".to_vec())
            }
            RequestKind::Wheel => Some(wheel.bytes()),
            RequestKind::Page => None,
        }
    }
}

/// Answers from the indexes in order, recording every request.
struct Host {
    indexes: Vec<Index>,
    log: Vec<Request>,
    cache: BTreeMap<String, Vec<u8>>,
}

impl Fetcher for Host {
    fn fetch(&mut self, requests: &[Request]) -> Vec<Result<Option<Vec<u8>>>> {
        self.log.extend(requests.iter().cloned());
        requests
            .iter()
            .map(|request| Ok(self.indexes.iter().find_map(|index| index.answer(request))))
            .collect()
    }

    fn cached(&mut self, sha256: &str) -> Option<Vec<u8>> {
        self.cache.get(sha256).cloned()
    }

    fn cache(&mut self, sha256: &str, bytes: &[u8]) {
        self.cache.insert(sha256.into(), bytes.to_vec());
    }
}

fn host(indexes: Vec<Index>) -> Host {
    Host {
        indexes,
        log: Vec::new(),
        cache: BTreeMap::new(),
    }
}

fn target() -> Target {
    Target::new("3.13.5").unwrap()
}

fn requirements(texts: &[&str]) -> Vec<Requirement> {
    texts
        .iter()
        .map(|t| Requirement::from_str(t).unwrap())
        .collect()
}

/// Resolves `roots` against the host's indexes: `name==version` lines.
fn resolve(host: &mut Host, roots: &[&str]) -> Result<Vec<String>> {
    let sources = host
        .indexes
        .iter()
        .map(|i| Source::index(&i.url()))
        .collect();
    let resolver = Resolver::new(target(), requirements(roots), sources)?;
    let (resolution, _) = resolve_with(resolver, host, &mut Stats::default())?;
    Ok(resolution
        .packages
        .iter()
        .map(|p| format!("{}=={}", p.name, p.version))
        .collect())
}

#[test]
fn backtracks_to_a_version_whose_dependencies_fit() {
    let mut host = host(vec![index(
        "a.test",
        vec![
            wheel("a-2.0-py3-none-any.whl", &["c<2"]),
            wheel("a-1.0-py3-none-any.whl", &["c"]),
            wheel("b-1.0-py3-none-any.whl", &["c>=2"]),
            wheel("c-1.0-py3-none-any.whl", &[]),
            wheel("c-2.0-py3-none-any.whl", &[]),
        ],
    )]);
    assert_eq!(
        resolve(&mut host, &["a", "b"]).unwrap(),
        ["a==1.0", "b==1.0", "c==2.0"]
    );
}

#[test]
fn extras_bring_their_dependencies_and_markers_drop_others() {
    let mut requests = wheel(
        "requests-2.32.3-py3-none-any.whl",
        &[
            "idna>=2.5",
            "pysocks>=1.5.6; extra == \"socks\"",
            "colorama; sys_platform == \"win32\"",
            "old; python_version < \"3.8\"",
        ],
    );
    requests.extras = vec!["socks"];
    let mut host = host(vec![index(
        "a.test",
        vec![
            requests,
            wheel("idna-3.10-py3-none-any.whl", &[]),
            wheel("PySocks-1.7.1-py3-none-any.whl", &[]),
            wheel("colorama-0.4.6-py2.py3-none-any.whl", &[]),
        ],
    )]);
    assert_eq!(
        resolve(&mut host, &["requests"]).unwrap(),
        ["idna==3.10", "requests==2.32.3"]
    );
    assert_eq!(
        resolve(&mut host, &["requests[socks]"]).unwrap(),
        ["idna==3.10", "pysocks==1.7.1", "requests==2.32.3"]
    );
    assert!(
        !host.log.iter().any(|r| r.url.contains("colorama")),
        "win32-only dependency fetched"
    );
}

#[test]
fn requires_python_excludes_versions() {
    let mut newest = wheel("tool-3.0-py3-none-any.whl", &[]);
    newest.requires_python = Some(">=3.14");
    let mut middle = wheel("tool-2.0-py3-none-any.whl", &[]);
    middle.requires_python = Some(">=3.13");
    middle.python_on_page = false;
    let mut host = host(vec![index(
        "a.test",
        vec![newest, middle, wheel("tool-1.0-py3-none-any.whl", &[])],
    )]);
    assert_eq!(resolve(&mut host, &["tool"]).unwrap(), ["tool==2.0"]);
    // Only the metadata says that 2.0 needs a newer Python.
    let mut only_metadata = wheel("lib-2.0-py3-none-any.whl", &[]);
    only_metadata.requires_python = Some(">=3.99");
    only_metadata.python_on_page = false;
    let mut second = self::host(vec![index(
        "a.test",
        vec![only_metadata, wheel("lib-1.0-py3-none-any.whl", &[])],
    )]);
    assert_eq!(resolve(&mut second, &["lib"]).unwrap(), ["lib==1.0"]);
}

#[test]
fn yanked_versions_only_when_pinned() {
    let mut yanked = wheel("pkg-2.0-py3-none-any.whl", &[]);
    yanked.yanked = true;
    let mut host = host(vec![index(
        "a.test",
        vec![yanked, wheel("pkg-1.0-py3-none-any.whl", &[])],
    )]);
    assert_eq!(resolve(&mut host, &["pkg"]).unwrap(), ["pkg==1.0"]);
    assert_eq!(resolve(&mut host, &["pkg==2.0"]).unwrap(), ["pkg==2.0"]);
}

#[test]
fn prereleases_only_when_nothing_else_fits() {
    let mut host = host(vec![index(
        "a.test",
        vec![
            wheel("pkg-2.0b1-py3-none-any.whl", &[]),
            wheel("pkg-1.0-py3-none-any.whl", &[]),
        ],
    )]);
    assert_eq!(resolve(&mut host, &["pkg"]).unwrap(), ["pkg==1.0"]);
    assert_eq!(resolve(&mut host, &["pkg>1.0"]).unwrap(), ["pkg==2.0b1"]);
}

#[test]
fn prefers_the_most_specific_tag() {
    let mut host = host(vec![index(
        "a.test",
        vec![
            wheel("pkg-1.0-py3-none-any.whl", &[]),
            wheel("pkg-1.0-cp313-none-any.whl", &[]),
            wheel("pkg-1.0-cp313-cp313-manylinux_2_17_x86_64.whl", &[]),
        ],
    )]);
    let sources = vec![Source::index(&host.indexes[0].url())];
    let resolver = Resolver::new(target(), requirements(&["pkg"]), sources).unwrap();
    let (resolution, _) = resolve_with(resolver, &mut host, &mut Stats::default()).unwrap();
    assert_eq!(
        resolution.packages[0].wheel.filename,
        "pkg-1.0-cp313-none-any.whl"
    );
}

#[test]
fn a_package_with_only_native_wheels_is_named_with_who_requires_it() {
    let mut host = host(vec![index(
        "a.test",
        vec![
            wheel("app_lib-1.0-py3-none-any.whl", &["fastthing>=1"]),
            wheel("fastthing-1.2-cp313-cp313-manylinux_2_17_x86_64.whl", &[]),
            wheel("fastthing-1.2-cp313-cp313-win_amd64.whl", &[]),
        ],
    )]);
    let error = resolve(&mut host, &["app-lib"]).unwrap_err().to_string();
    assert_eq!(
        error,
        "no wheel of fastthing (required by app-lib 1.0) can run in the component: it accepts \
         cp313-none-any, py313-none-any, py3-none-any, py312-none-any, py311-none-any, py310-none-any, \
         py39-none-any, py38-none-any, py37-none-any, py36-none-any, py35-none-any, \
         py34-none-any, py33-none-any, py32-none-any, py31-none-any, py30-none-any \
         (CPython 3.13.5 on WASI), and the index offers only manylinux wheels, win wheels. \
         Source distributions are not built, and packages with native code are not supported yet"
    );
}

#[test]
fn backtracks_past_a_version_that_needs_a_native_only_package() {
    let mut host = host(vec![index(
        "a.test",
        vec![
            wheel("tool-2.0-py3-none-any.whl", &["fastthing"]),
            wheel("tool-1.0-py3-none-any.whl", &[]),
            wheel("fastthing-1.2-cp313-cp313-manylinux_2_17_x86_64.whl", &[]),
        ],
    )]);
    assert_eq!(resolve(&mut host, &["tool"]).unwrap(), ["tool==1.0"]);
}

#[test]
fn a_package_no_index_has_is_named() {
    let mut host = host(vec![index(
        "a.test",
        vec![wheel("a-1.0-py3-none-any.whl", &["ghost"])],
    )]);
    assert_eq!(
        resolve(&mut host, &["a"]).unwrap_err().to_string(),
        "ghost (required by a 1.0) is not on http://a.test/simple"
    );
}

#[test]
fn a_conflict_explains_its_derivation() {
    let mut host = host(vec![index(
        "a.test",
        vec![
            wheel("a-1.0-py3-none-any.whl", &["c<2"]),
            wheel("b-1.0-py3-none-any.whl", &["c>=2"]),
            wheel("c-1.0-py3-none-any.whl", &[]),
            wheel("c-2.0-py3-none-any.whl", &[]),
        ],
    )]);
    let error = resolve(&mut host, &["a", "b"]).unwrap_err().to_string();
    assert_eq!(
        error,
        "no versions of the dependencies satisfy the requirements:\n\
         Because a depends on c <2 and b 1.0 depends on c >=2, a, b 1.0 cannot be used together.\n\
         And because the app depends on a and the app depends on b, the app's requirements \
         cannot all be met."
    );
}

#[test]
fn falls_back_to_the_wheel_when_there_is_no_metadata_file() {
    let mut index = index(
        "a.test",
        vec![
            wheel("a-1.0-py3-none-any.whl", &["b"]),
            wheel("b-1.0-py3-none-any.whl", &[]),
        ],
    );
    index.metadata_files = false;
    let mut host = host(vec![index]);
    let sources = vec![Source::index(&host.indexes[0].url())];
    let resolver = Resolver::new(target(), requirements(&["a"]), sources).unwrap();
    let mut stats = Stats::default();
    let (resolution, fetched) = resolve_with(resolver, &mut host, &mut stats).unwrap();
    assert_eq!(resolution.packages.len(), 2);
    assert_eq!(
        fetched.len(),
        2,
        "the wheels read for metadata are handed back"
    );
    // Installing reuses them: nothing more is fetched.
    let before = host.log.len();
    let wheels = locked(&resolution, &fetched).unwrap();
    install(
        &wheels,
        fetched,
        &mut host,
        &Credentials::default(),
        false,
        &mut stats,
    )
    .unwrap();
    assert_eq!(host.log.len(), before);
}

#[test]
fn a_package_comes_from_the_first_index_that_has_it() {
    let mut host = host(vec![
        index("first.test", vec![wheel("a-1.0-py3-none-any.whl", &["b"])]),
        index(
            "second.test",
            vec![
                wheel("a-9.0-py3-none-any.whl", &[]),
                wheel("b-1.0-py3-none-any.whl", &[]),
            ],
        ),
    ]);
    assert_eq!(resolve(&mut host, &["a"]).unwrap(), ["a==1.0", "b==1.0"]);
}

#[test]
fn a_hash_mismatch_is_an_error() {
    let mut index = index("a.test", vec![wheel("a-1.0-py3-none-any.whl", &[])]);
    index.corrupt = vec!["a-1.0-py3-none-any.whl"];
    let mut host = host(vec![index]);
    let sources = vec![Source::index(&host.indexes[0].url())];
    let resolver = Resolver::new(target(), requirements(&["a"]), sources).unwrap();
    let (resolution, fetched) = resolve_with(resolver, &mut host, &mut Stats::default()).unwrap();
    let wheels = locked(&resolution, &fetched).unwrap();
    let error = install(
        &wheels,
        fetched,
        &mut host,
        &Credentials::default(),
        false,
        &mut Stats::default(),
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("hash mismatch for a-1.0-py3-none-any.whl: expected sha256 "),
        "{error}"
    );
}

#[test]
fn a_metadata_file_that_does_not_match_its_hash_is_an_error() {
    let mut index = index("a.test", vec![wheel("a-1.0-py3-none-any.whl", &[])]);
    index.corrupt_metadata = vec!["a-1.0-py3-none-any.whl"];
    let mut host = host(vec![index]);
    let error = resolve(&mut host, &["a"]).unwrap_err();
    assert!(
        error.to_string().starts_with(
            "hash mismatch for http://a.test/files/a-1.0-py3-none-any.whl.metadata: expected sha256 "
        ),
        "{error}"
    );
}

#[test]
fn requests_to_an_index_with_credentials_carry_them_in_a_header_only() {
    let mut host = host(vec![index(
        "a.test",
        vec![
            wheel("a-1.0-py3-none-any.whl", &["b"]),
            wheel("b-1.0-py3-none-any.whl", &[]),
        ],
    )]);
    host.indexes[0].metadata_files = false;
    let sources = vec![Source::index("http://me:pw@a.test/simple")];
    let resolver = Resolver::new(target(), requirements(&["a"]), sources.clone()).unwrap();
    let (resolution, fetched) = resolve_with(resolver, &mut host, &mut Stats::default()).unwrap();
    assert_eq!(resolution.packages.len(), 2);
    let wheels = locked(&resolution, &fetched).unwrap();
    let credentials = Credentials::of_sources(&sources);
    install(
        &wheels,
        BTreeMap::new(),
        &mut host,
        &credentials,
        false,
        &mut Stats::default(),
    )
    .unwrap();
    assert!(host.log.len() >= 4, "{:?}", host.log);
    for request in &host.log {
        assert!(!request.url.contains("me:pw"), "{}", request.url);
        assert_eq!(
            request.authorization.as_deref(),
            Some("Basic bWU6cHc="),
            "{}",
            request.url
        );
    }
    assert_eq!(resolution.packages[0].source, "http://a.test/simple");
}

#[test]
fn the_lock_is_the_same_bytes_whatever_the_answer_order() {
    let make = || {
        vec![index(
            "a.test",
            vec![
                wheel("a-1.0-py3-none-any.whl", &["c", "d[x]"]),
                wheel("b-1.0-py3-none-any.whl", &["c>=1"]),
                wheel("c-1.5-py3-none-any.whl", &[]),
                {
                    let mut d = wheel("d-1.0-py3-none-any.whl", &["e; extra == 'x'"]);
                    d.extras = vec!["x"];
                    d
                },
                wheel("e-1.0-py3-none-any.whl", &[]),
            ],
        )]
    };
    // The host may answer a batch in any order: provide the answers forwards or backwards.
    let lock_text = |reverse: bool| -> String {
        let mut host = host(make());
        let sources = vec![Source::index(&host.indexes[0].url())];
        let mut resolver = Resolver::new(target(), requirements(&["b", "a"]), sources).unwrap();
        let resolution = loop {
            match resolver.step().unwrap() {
                Step::Done(resolution) => break resolution,
                Step::Fetch(requests) => {
                    let mut answers: Vec<_> = requests.iter().zip(host.fetch(&requests)).collect();
                    if reverse {
                        answers.reverse();
                    }
                    for (request, answer) in answers {
                        resolver.provide(request, answer.unwrap()).unwrap();
                    }
                }
            }
        };
        let wheels = locked(&resolution, &resolver.take_wheels()).unwrap();
        lock::write(
            &target(),
            &wheels,
            &|_| "http://a.test/simple".into(),
            "sha256:00",
        )
    };
    let first = lock_text(false);
    assert_eq!(first, lock_text(false));
    assert_eq!(first, lock_text(true));
    let read = lock::read(&first, "pylock.componentize-py.toml", &target()).unwrap();
    let names: Vec<String> = read
        .wheels
        .iter()
        .map(|w| format!("{}=={}", w.name, w.version))
        .collect();
    assert_eq!(names, ["a==1.0", "b==1.0", "c==1.5", "d==1.0", "e==1.0"]);
    assert_eq!(read.inputs_hash.as_deref(), Some("sha256:00"));
}

#[test]
fn find_links_directories_need_no_index() {
    let wheel_a = wheel("a-1.0-py3-none-any.whl", &[]);
    let bytes = wheel_a.bytes();
    struct Dir(Vec<u8>, usize);
    impl Fetcher for Dir {
        fn fetch(&mut self, requests: &[Request]) -> Vec<Result<Option<Vec<u8>>>> {
            self.1 += requests.len();
            requests
                .iter()
                .map(|r| {
                    if r.url == "wheels/a-1.0-py3-none-any.whl" && r.kind == RequestKind::Wheel {
                        Ok(Some(self.0.clone()))
                    } else {
                        bail!("unexpected {r:?}")
                    }
                })
                .collect()
        }
        fn cached(&mut self, _: &str) -> Option<Vec<u8>> {
            None
        }
        fn cache(&mut self, _: &str, _: &[u8]) {}
    }
    let sources = vec![Source::FindLinks {
        dir: "wheels".into(),
        names: vec!["a-1.0-py3-none-any.whl".into(), "notes.txt".into()],
    }];
    let resolver = Resolver::new(target(), requirements(&["a"]), sources).unwrap();
    let mut dir = Dir(bytes.clone(), 0);
    let (resolution, fetched) = resolve_with(resolver, &mut dir, &mut Stats::default()).unwrap();
    let wheels = locked(&resolution, &fetched).unwrap();
    assert_eq!(wheels[0].sha256, sha256_hex(&bytes));
    assert_eq!(dir.1, 1);
}

#[test]
fn a_directory_after_an_index_is_searched_when_the_index_lacks_the_package() {
    let local = wheel("b-1.0-py3-none-any.whl", &[]).bytes();
    let mut host = host(vec![index(
        "a.test",
        vec![wheel("a-1.0-py3-none-any.whl", &["b"])],
    )]);
    let sources = vec![
        Source::index(&host.indexes[0].url()),
        Source::FindLinks {
            dir: "wheels".into(),
            names: vec!["b-1.0-py3-none-any.whl".into()],
        },
    ];
    let mut resolver = Resolver::new(target(), requirements(&["a"]), sources).unwrap();
    let resolution = loop {
        match resolver.step().unwrap() {
            Step::Done(resolution) => break resolution,
            Step::Fetch(requests) => {
                for (request, answer) in requests.iter().zip(host.fetch(&requests)) {
                    let answer = match request.url.as_str() {
                        "wheels/b-1.0-py3-none-any.whl" => Some(local.clone()),
                        _ => answer.unwrap(),
                    };
                    resolver.provide(request, answer).unwrap();
                }
            }
        }
    };
    let names: Vec<_> = resolution
        .packages
        .iter()
        .map(|p| p.source.clone())
        .collect();
    assert_eq!(names, ["http://a.test/simple", "wheels"]);
}
