//! Resolution with pubgrub, without I/O. [`Resolver::step`] runs the solver over what has been
//! fetched so far; when it needs a project page, a metadata file or a wheel it has not seen, the
//! step returns those [`Request`]s (with the ones it can already tell it will need next, so that
//! the host fetches them together), the host answers each with [`Resolver::provide`], and the
//! next step starts the solver again. The solver is deterministic and the graphs are small, so
//! restarting costs little and every host gets the same answer.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use anyhow::{Result, anyhow, bail};
use pep440_rs::Version;
use pep508_rs::{ExtraName, PackageName, Requirement, VersionOrUrl};
use pubgrub::{
    Dependencies, DependencyProvider, PackageResolutionStatistics, PubGrubError, Ranges,
};
use sha2::{Digest, Sha256};

use crate::environment::Target;
use crate::index::{self, IndexFile, Source};
use crate::wheel::{Metadata, WheelName};

/// What the host is asked to fetch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Request {
    /// An absolute URL (without credentials), or a path for `--find-links` files.
    pub url: String,
    /// What is fetched.
    pub kind: RequestKind,
    /// The `Authorization` header to send (see [`index::Credentials`]).
    pub authorization: Option<String>,
}

impl Request {
    /// A request of `url` with the credentials of its origin.
    pub fn new(url: String, kind: RequestKind, credentials: &index::Credentials) -> Self {
        Self {
            authorization: credentials.authorization(&url),
            url,
            kind,
        }
    }
}

/// The kinds of [`Request`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RequestKind {
    /// A project page, requested with `Accept:` [`index::ACCEPT`].
    Page,
    /// A PEP 658 metadata file; a missing one is answered with `None`.
    Metadata,
    /// A wheel.
    Wheel,
}

/// A package of the resolution: the app, a distribution, or a distribution with one extra.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Package {
    Root,
    Base(PackageName),
    Extra(PackageName, ExtraName),
}

impl fmt::Display for Package {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Package::Root => f.write_str("the app"),
            Package::Base(name) => write!(f, "{name}"),
            Package::Extra(name, extra) => write!(f, "{name}[{extra}]"),
        }
    }
}

impl Package {
    fn name(&self) -> Option<&PackageName> {
        match self {
            Package::Root => None,
            Package::Base(name) | Package::Extra(name, _) => Some(name),
        }
    }
}

/// A package's files, once looked up.
#[derive(Debug, Default)]
struct Lookup {
    /// How many sources have answered "not here".
    missed: usize,
    /// The source that has it and its files.
    found: Option<(usize, Vec<IndexFile>)>,
}

/// One pinned package of a [`Resolution`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinned {
    /// The distribution.
    pub name: PackageName,
    /// Its version.
    pub version: Version,
    /// The source it comes from ([`Source::describe`]).
    pub source: String,
    /// The wheel chosen.
    pub wheel: IndexFile,
}

/// The outcome of a resolution: the packages, sorted by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The pinned packages.
    pub packages: Vec<Pinned>,
}

/// What a [`Resolver::step`] ends with.
#[derive(Debug)]
pub enum Step {
    /// Fetch these (in any order, in parallel) and [`Resolver::provide`] each.
    Fetch(Vec<Request>),
    /// The resolution is complete.
    Done(Resolution),
}

/// Why the provider stopped the solver.
#[derive(Debug)]
enum Stop {
    /// Data not fetched yet.
    Missing,
    /// An error to report as is.
    Fatal(String),
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Missing => f.write_str("missing data"),
            Stop::Fatal(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Stop {}

/// A resolution in progress.
pub struct Resolver {
    target: Target,
    roots: Vec<Requirement>,
    credentials: index::Credentials,
    sources: Vec<Source>,
    lookups: BTreeMap<PackageName, Lookup>,
    metadata: BTreeMap<String, Metadata>,
    /// Wheels whose metadata file is missing, so the wheel itself is read.
    needs_wheel: BTreeSet<String>,
    /// Wheels fetched for their metadata, by URL; handed to the host with the resolution.
    wheels: BTreeMap<String, Vec<u8>>,
    /// Who first required each package, for error messages.
    required_by: RefCell<BTreeMap<PackageName, String>>,
    missing: RefCell<BTreeSet<Request>>,
    /// Packages the solver asked about that have no lookup yet.
    unknown: RefCell<BTreeSet<PackageName>>,
    /// Packages none of whose versions can be used, with why: the solver backtracks past them,
    /// and a failure that involves them says why.
    unusable: RefCell<BTreeMap<PackageName, String>>,
}

/// The solver's view of a [`Resolver`].
struct Provider<'a>(&'a Resolver);

impl Resolver {
    /// A resolution of `roots` for `target` over `sources` (at least one).
    pub fn new(target: Target, roots: Vec<Requirement>, sources: Vec<Source>) -> Result<Self> {
        for root in &roots {
            if let Some(VersionOrUrl::Url(url)) = &root.version_or_url {
                bail!(
                    "`{root}`: direct URL requirements are not supported yet ({url}); \
                     give a version and an index instead"
                );
            }
        }
        if sources.is_empty() {
            bail!("no package index to resolve from");
        }
        Ok(Self {
            target,
            roots,
            credentials: index::Credentials::of_sources(&sources),
            sources,
            lookups: BTreeMap::new(),
            metadata: BTreeMap::new(),
            needs_wheel: BTreeSet::new(),
            wheels: BTreeMap::new(),
            required_by: RefCell::new(BTreeMap::new()),
            missing: RefCell::new(BTreeSet::new()),
            unknown: RefCell::new(BTreeSet::new()),
            unusable: RefCell::new(BTreeMap::new()),
        })
    }

    /// Runs the solver over what is known.
    pub fn step(&mut self) -> Result<Step> {
        loop {
            if let Some(step) = self.run()? {
                return Ok(step);
            }
        }
    }

    /// One run of the solver; `None` if it stopped on packages that directories settle.
    fn run(&mut self) -> Result<Option<Step>> {
        self.missing.borrow_mut().clear();
        self.unusable.borrow_mut().clear();
        // Directories answer at once.
        for name in self.frontier_names() {
            self.look_in_directories(&name);
        }
        match pubgrub::resolve(&Provider(self), Package::Root, Version::new([0])) {
            Ok(solution) => {
                let mut packages = Vec::new();
                for (package, version) in solution {
                    let Package::Base(name) = package else {
                        continue;
                    };
                    let (source, wheel) = self
                        .candidate(&name, &version)
                        .ok_or_else(|| anyhow!("{name} {version}: no wheel chosen"))?;
                    packages.push(Pinned {
                        name,
                        version,
                        source: self.sources[source].describe(),
                        wheel: wheel.clone(),
                    });
                }
                packages.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(Some(Step::Done(Resolution { packages })))
            }
            Err(PubGrubError::NoSolution(mut tree)) => {
                let unusable = self.unusable.take();
                let involved: Vec<&String> = tree
                    .packages()
                    .into_iter()
                    .filter_map(|p| unusable.get(p.name()?))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                if !involved.is_empty() {
                    let why: Vec<&str> = involved.iter().map(|s| s.as_str()).collect();
                    bail!("{}", why.join("\n"));
                }
                tree.collapse_no_versions();
                let report = crate::report::explain(&tree);
                bail!("no versions of the dependencies satisfy the requirements:\n{report}")
            }
            Err(
                PubGrubError::ErrorChoosingVersion { source, .. }
                | PubGrubError::ErrorRetrievingDependencies { source, .. }
                | PubGrubError::ErrorInShouldCancel(source),
            ) => match source {
                Stop::Fatal(message) => bail!("{message}"),
                Stop::Missing => {
                    let mut requests = self.missing.take();
                    for name in self.unknown.take() {
                        self.look_in_directories(&name);
                        requests.extend(self.page_request(&name));
                    }
                    requests.extend(self.prefetch());
                    Ok((!requests.is_empty()).then(|| Step::Fetch(requests.into_iter().collect())))
                }
            },
        }
    }

    /// Answers `request`: the bytes, or `None` if the server says the URL does not exist. A
    /// metadata file that could not be fetched may be answered with `None` too: the wheel is read
    /// instead.
    pub fn provide(&mut self, request: &Request, response: Option<Vec<u8>>) -> Result<()> {
        match request.kind {
            RequestKind::Page => {
                let (name, position) = self
                    .lookups
                    .iter()
                    .find_map(|(name, lookup)| {
                        let position = self.next_index(lookup)?;
                        (self.sources[position].page_url(name).as_deref()
                            == Some(request.url.as_str()))
                        .then(|| (name.clone(), position))
                    })
                    .ok_or_else(|| anyhow!("{}: not requested", request.url))?;
                let lookup = self.lookups.get_mut(&name).expect("looked up");
                match response {
                    None => {
                        lookup.missed = position + 1;
                        // Directories after this index answer at once.
                        self.look_in_directories(&name);
                    }
                    Some(bytes) => {
                        let files = index::parse_page(&bytes, &request.url)?;
                        lookup.found = Some((position, files));
                    }
                }
            }
            RequestKind::Metadata => {
                let wheel = request
                    .url
                    .strip_suffix(".metadata")
                    .unwrap_or(&request.url)
                    .to_string();
                match response {
                    None => {
                        self.needs_wheel.insert(wheel);
                    }
                    // A server that answers with something else (an HTML page, say) has no
                    // metadata file either.
                    Some(bytes) => {
                        let expected = self.file_at(&wheel).and_then(|f| f.metadata_sha256.clone());
                        if let Some(expected) = expected {
                            check_sha256(&bytes, &expected, &request.url)?;
                        }
                        match Metadata::parse(&String::from_utf8_lossy(&bytes), &request.url) {
                            Ok(metadata) => {
                                self.metadata.insert(wheel, metadata);
                            }
                            Err(_) => {
                                self.needs_wheel.insert(wheel);
                            }
                        }
                    }
                }
            }
            RequestKind::Wheel => {
                let bytes = response.ok_or_else(|| anyhow!("{}: not found", request.url))?;
                let file = self.file_at(&request.url);
                if let Some(expected) = file.and_then(|f| f.sha256.as_deref()) {
                    check_sha256(&bytes, expected, &request.url)?;
                }
                let filename = request.url.rsplit('/').next().unwrap_or(&request.url);
                let metadata = Metadata::from_wheel(&bytes, filename)?;
                self.metadata.insert(request.url.clone(), metadata);
                self.wheels.insert(request.url.clone(), bytes);
            }
        }
        Ok(())
    }

    /// The SHA-256 the index gives for the file at `url`, if any.
    pub fn expected_sha256(&self, url: &str) -> Option<&str> {
        self.file_at(url)?.sha256.as_deref()
    }

    /// The wheels fetched during resolution (for their metadata), by URL.
    pub fn take_wheels(&mut self) -> BTreeMap<String, Vec<u8>> {
        std::mem::take(&mut self.wheels)
    }

    /// The index of the next source to ask about a package, if its lookup is not settled.
    fn next_index(&self, lookup: &Lookup) -> Option<usize> {
        if lookup.found.is_some() || lookup.missed >= self.sources.len() {
            return None;
        }
        Some(lookup.missed)
    }

    /// Settles lookups that directories can answer without a fetch.
    fn look_in_directories(&mut self, name: &PackageName) {
        let lookup = self.lookups.entry(name.clone()).or_default();
        while lookup.found.is_none() && lookup.missed < self.sources.len() {
            let source = &self.sources[lookup.missed];
            if source.page_url(name).is_some() {
                break;
            }
            let files = source.listed_files(name);
            if files.is_empty() {
                lookup.missed += 1;
            } else {
                lookup.found = Some((lookup.missed, files));
            }
        }
    }

    /// The request for a package's page, if one is still needed.
    fn page_request(&self, name: &PackageName) -> Option<Request> {
        let lookup = self.lookups.get(name)?;
        let position = self.next_index(lookup)?;
        Some(Request::new(
            self.sources[position].page_url(name)?,
            RequestKind::Page,
            &self.credentials,
        ))
    }

    /// The file with this URL among the looked-up packages.
    fn file_at(&self, url: &str) -> Option<&IndexFile> {
        self.lookups
            .values()
            .filter_map(|lookup| lookup.found.as_ref())
            .flat_map(|(_, files)| files)
            .find(|file| file.url == url)
    }

    /// The files of a package, if its lookup is settled (`None` if no source has it).
    fn files(&self, name: &PackageName) -> Result<Option<(usize, &[IndexFile])>, Stop> {
        let Some(lookup) = self.lookups.get(name) else {
            self.unknown.borrow_mut().insert(name.clone());
            return Err(Stop::Missing);
        };
        if let Some((source, files)) = &lookup.found {
            return Ok(Some((*source, files)));
        }
        if lookup.missed >= self.sources.len() {
            let sources: Vec<String> = self.sources.iter().map(Source::describe).collect();
            self.unusable.borrow_mut().insert(
                name.clone(),
                format!(
                    "{name} (required by {}) is not on {}",
                    self.requirer(name),
                    sources.join(" nor on ")
                ),
            );
            return Ok(None);
        }
        self.missing.borrow_mut().extend(self.page_request(name));
        Err(Stop::Missing)
    }

    /// The best wheel of `name` at `version` for the target.
    fn candidate(&self, name: &PackageName, version: &Version) -> Option<(usize, &IndexFile)> {
        let (source, files) = self.lookups.get(name)?.found.as_ref()?;
        files
            .iter()
            .filter_map(|file| {
                let wheel = WheelName::parse(&file.filename)?;
                if &wheel.version != version {
                    return None;
                }
                if let Some(requires) = &file.requires_python
                    && !self.target.admits(requires)
                {
                    return None;
                }
                Some((self.target.rank(&wheel.tags)?, file))
            })
            .min_by_key(|(rank, _)| *rank)
            .map(|(_, file)| (*source, file))
    }

    /// The versions of `name` that have a wheel for the target, newest first, with whether the
    /// wheel is yanked.
    fn versions(&self, name: &PackageName, files: &[IndexFile]) -> Vec<(Version, bool)> {
        let mut versions: Vec<Version> = files
            .iter()
            .filter_map(|file| WheelName::parse(&file.filename).map(|w| w.version))
            .collect();
        versions.sort();
        versions.dedup();
        versions.reverse();
        versions
            .into_iter()
            .filter_map(|version| {
                let (_, file) = self.candidate(name, &version)?;
                Some((version, file.yanked))
            })
            .collect()
    }

    /// The metadata of a wheel, or the request that will bring it.
    fn wheel_metadata(&self, file: &IndexFile) -> Result<&Metadata, Request> {
        if let Some(metadata) = self.metadata.get(&file.url) {
            return Ok(metadata);
        }
        if file.metadata && !self.needs_wheel.contains(&file.url) {
            Err(Request::new(
                format!("{}.metadata", file.url),
                RequestKind::Metadata,
                &self.credentials,
            ))
        } else {
            Err(Request::new(
                file.url.clone(),
                RequestKind::Wheel,
                &self.credentials,
            ))
        }
    }

    /// The requirements a package at a version brings, with their extras applied.
    fn requirements_of<'a>(
        &self,
        requirements: &'a [Requirement],
        extra: Option<&ExtraName>,
    ) -> impl Iterator<Item = &'a Requirement> {
        let extras: Vec<ExtraName> = extra.into_iter().cloned().collect();
        let markers = self.target.markers().clone();
        requirements
            .iter()
            .filter(move |requirement| requirement.marker.evaluate(&markers, &extras))
    }

    /// The packages a requirement stands for, with its version range.
    fn constraints(requirement: &Requirement) -> Vec<(Package, Ranges<Version>)> {
        let range = match &requirement.version_or_url {
            Some(VersionOrUrl::VersionSpecifier(specifiers)) => Ranges::from(specifiers.clone()),
            _ => Ranges::full(),
        };
        let mut out = vec![(Package::Base(requirement.name.clone()), range.clone())];
        out.extend(requirement.extras.iter().map(|extra| {
            (
                Package::Extra(requirement.name.clone(), extra.clone()),
                range.clone(),
            )
        }));
        out
    }

    /// The names the solver will look at soon: the roots and, breadth first over the metadata
    /// already known, the dependencies of each package's newest candidate.
    fn frontier_names(&self) -> Vec<PackageName> {
        let mut seen = BTreeSet::new();
        let mut queue: Vec<(PackageName, Vec<ExtraName>)> = self
            .requirements_of(&self.roots, None)
            .map(|r| (r.name.clone(), r.extras.clone()))
            .collect();
        let mut order = Vec::new();
        while let Some((name, extras)) = queue.pop() {
            if !seen.insert((name.clone(), extras.clone())) {
                continue;
            }
            order.push(name.clone());
            let Some(Some((_, files))) = self.lookups.get(&name).map(|l| l.found.as_ref()) else {
                continue;
            };
            let Some((version, _)) = self.versions(&name, files).into_iter().find(|(_, y)| !y)
            else {
                continue;
            };
            let Some((_, file)) = self.candidate(&name, &version) else {
                continue;
            };
            let Ok(metadata) = self.wheel_metadata(file) else {
                continue;
            };
            for extra in std::iter::once(None).chain(extras.iter().map(Some)) {
                for requirement in self.requirements_of(&metadata.requires_dist, extra) {
                    queue.push((requirement.name.clone(), requirement.extras.clone()));
                }
            }
        }
        order.sort();
        order.dedup();
        order
    }

    /// What the solver is likely to ask for next: pages of the frontier, and the metadata of
    /// each looked-up package's newest candidate.
    fn prefetch(&self) -> Vec<Request> {
        let mut requests = Vec::new();
        for name in self.frontier_names() {
            match self.lookups.get(&name) {
                None => {}
                Some(lookup) => match &lookup.found {
                    None => requests.extend(self.page_request(&name)),
                    Some((_, files)) => {
                        let newest = self.versions(&name, files).into_iter().find(|(_, y)| !y);
                        if let Some((version, _)) = newest
                            && let Some((_, file)) = self.candidate(&name, &version)
                            && let Err(request) = self.wheel_metadata(file)
                        {
                            requests.push(request);
                        }
                    }
                },
            }
        }
        requests
    }

    /// The error for a package no file of which the target can use.
    /// Who first required a package.
    fn requirer(&self, name: &PackageName) -> String {
        self.required_by
            .borrow()
            .get(name)
            .cloned()
            .unwrap_or_else(|| "the app".into())
    }

    /// Why no file of a package can be used.
    fn no_wheel(&self, name: &PackageName, files: &[IndexFile]) -> String {
        let required_by = self.requirer(name);
        let mut offered = BTreeSet::new();
        for file in files {
            match WheelName::parse(&file.filename) {
                Some(wheel) if wheel.is_pure() => {
                    offered.insert("pure-Python wheels for other Pythons".to_string());
                }
                Some(wheel) => {
                    let platform = wheel.tags[0].rsplit('-').next().unwrap_or("").to_string();
                    let family = [
                        "manylinux",
                        "musllinux",
                        "macosx",
                        "win",
                        "linux",
                        "ios",
                        "android",
                        "emscripten",
                        "pyodide",
                    ]
                    .into_iter()
                    .find(|f| platform.starts_with(f))
                    .unwrap_or(&platform);
                    offered.insert(format!("{family} wheels"));
                }
                None => {
                    offered.insert("an sdist".to_string());
                }
            }
        }
        let offered: Vec<String> = offered.into_iter().collect();
        let offered = match offered.len() {
            0 => "no files".to_string(),
            _ => format!("only {}", offered.join(", ")),
        };
        format!(
            "no wheel of {name} (required by {required_by}) can run in the component: it accepts \
             {} (CPython {} on WASI), and the index offers {offered}. Source distributions are \
             not built, and packages with native code are not supported yet",
            self.target.tags().join(", "),
            self.target.python(),
        )
    }
}

impl DependencyProvider for Provider<'_> {
    type P = Package;
    type V = Version;
    type VS = Ranges<Version>;
    type M = String;
    type Priority = (u32, std::cmp::Reverse<Package>);
    type Err = Stop;

    fn prioritize(
        &self,
        package: &Package,
        _range: &Ranges<Version>,
        statistics: &PackageResolutionStatistics,
    ) -> Self::Priority {
        // Conflicting packages first, then by name, so the order never depends on a hash.
        (
            statistics.conflict_count(),
            std::cmp::Reverse(package.clone()),
        )
    }

    fn choose_version(
        &self,
        package: &Package,
        range: &Ranges<Version>,
    ) -> Result<Option<Version>, Stop> {
        let Some(name) = package.name() else {
            return Ok(Some(Version::new([0])));
        };
        let Some((_, files)) = self.0.files(name)? else {
            return Ok(None);
        };
        let versions = self.0.versions(name, files);
        if versions.is_empty() {
            let why = self.0.no_wheel(name, files);
            self.0.unusable.borrow_mut().insert(name.clone(), why);
            return Ok(None);
        }
        let pinned = range.as_singleton();
        let allowed = |version: &Version, yanked: bool| {
            range.contains(version) && (!yanked || pinned == Some(version))
        };
        // Pre-releases only when the range admits no final release.
        let chosen = versions
            .iter()
            .find(|(v, y)| !v.any_prerelease() && allowed(v, *y))
            .or_else(|| versions.iter().find(|(v, y)| allowed(v, *y)))
            .map(|(v, _)| v.clone());
        Ok(chosen)
    }

    fn get_dependencies(
        &self,
        package: &Package,
        version: &Version,
    ) -> Result<Dependencies<Package, Ranges<Version>, String>, Stop> {
        let (requirements, extra, own): (&[Requirement], _, _) = match package {
            Package::Root => (&self.0.roots, None, None),
            Package::Base(name) | Package::Extra(name, _) => {
                let Some((_, file)) = self.0.candidate(name, version) else {
                    return Ok(Dependencies::Unavailable("no wheel".into()));
                };
                let metadata = match self.0.wheel_metadata(file) {
                    Ok(metadata) => metadata,
                    Err(request) => {
                        self.0.missing.borrow_mut().insert(request);
                        return Err(Stop::Missing);
                    }
                };
                if let Some(requires) = &metadata.requires_python
                    && !self.0.target.admits(requires)
                {
                    return Ok(Dependencies::Unavailable(format!(
                        "requires Python {requires}"
                    )));
                }
                let extra = match package {
                    Package::Extra(_, extra) => Some(extra),
                    _ => None,
                };
                (&metadata.requires_dist[..], extra, Some(name))
            }
        };
        let mut constraints: BTreeMap<Package, Ranges<Version>> = BTreeMap::new();
        if let (Some(name), Some(_)) = (own, extra) {
            constraints.insert(
                Package::Base(name.clone()),
                Ranges::singleton(version.clone()),
            );
        }
        for requirement in self.0.requirements_of(requirements, extra) {
            if let Some(VersionOrUrl::Url(url)) = &requirement.version_or_url {
                return Err(Stop::Fatal(format!(
                    "{package} requires `{requirement}`: direct URL requirements are not supported ({url})"
                )));
            }
            if Some(&requirement.name) == own {
                // A package that asks for its own extras: those extras at this very version.
                for extra in &requirement.extras {
                    constraints.insert(
                        Package::Extra(requirement.name.clone(), extra.clone()),
                        Ranges::singleton(version.clone()),
                    );
                }
                continue;
            }
            self.0
                .required_by
                .borrow_mut()
                .entry(requirement.name.clone())
                .or_insert_with(|| match package {
                    Package::Root => "the app".to_string(),
                    _ => format!("{package} {version}"),
                });
            for (dependency, range) in Resolver::constraints(requirement) {
                constraints
                    .entry(dependency)
                    .and_modify(|r| *r = r.intersection(&range))
                    .or_insert(range);
            }
        }
        Ok(Dependencies::Available(constraints.into_iter().collect()))
    }
}

/// Checks that `bytes` hash to `expected` (lowercase hex SHA-256).
pub fn check_sha256(bytes: &[u8], expected: &str, what: &str) -> Result<()> {
    let actual = sha256_hex(bytes);
    if !actual.eq_ignore_ascii_case(expected) {
        bail!("hash mismatch for {what}: expected sha256 {expected}, got {actual}");
    }
    Ok(())
}

/// The lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
