//! Package indexes: the PEP 691 JSON form of the simple repository API, and `--find-links`
//! directories of wheels.

use std::str::FromStr;

use anyhow::{Context, Result};
use pep440_rs::VersionSpecifiers;
use pep508_rs::PackageName;
use serde::Deserialize;

use crate::wheel::WheelName;

/// The `Accept` header a project page is requested with.
pub const ACCEPT: &str = "application/vnd.pypi.simple.v1+json";

/// The public Python Package Index.
pub const DEFAULT_INDEX: &str = "https://pypi.org/simple";

/// Where packages are looked up, in order: a package comes from the first source that has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A PEP 691 index (its base URL, without the trailing `/`).
    Index(String),
    /// A directory of wheel files, given as the names in it.
    FindLinks {
        /// The directory, as given.
        dir: String,
        /// The names of its entries.
        names: Vec<String>,
    },
}

impl Source {
    /// An index at `url`.
    pub fn index(url: &str) -> Self {
        Source::Index(url.trim_end_matches('/').to_string())
    }

    /// The URL of `name`'s project page (without the index's credentials, which
    /// [`Credentials`] adds back as a header), or `None` for a directory.
    pub fn page_url(&self, name: &PackageName) -> Option<String> {
        match self {
            Source::Index(url) => Some(format!("{}/{name}/", redact(url))),
            Source::FindLinks { .. } => None,
        }
    }

    /// How the lock and messages name this source (an index without its credentials).
    pub fn describe(&self) -> String {
        match self {
            Source::Index(url) => redact(url),
            Source::FindLinks { dir, .. } => dir.clone(),
        }
    }

    /// The wheels of `name` in a directory.
    pub fn listed_files(&self, name: &PackageName) -> Vec<IndexFile> {
        let Source::FindLinks { dir, names } = self else {
            return Vec::new();
        };
        let mut names: Vec<&String> = names.iter().collect();
        names.sort();
        names
            .into_iter()
            .filter(|file| WheelName::parse(file).is_some_and(|w| &w.name == name))
            .map(|file| IndexFile {
                filename: file.clone(),
                url: format!("{}/{file}", dir.trim_end_matches('/')),
                sha256: None,
                requires_python: None,
                yanked: false,
                metadata: false,
                metadata_sha256: None,
            })
            .collect()
    }
}

/// One file of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexFile {
    /// Its name.
    pub filename: String,
    /// Where to fetch it (absolute URL, or a path for `--find-links`).
    pub url: String,
    /// The SHA-256 the index gives, lowercase hex.
    pub sha256: Option<String>,
    /// `requires-python` of the file.
    pub requires_python: Option<VersionSpecifiers>,
    /// Whether the file is yanked.
    pub yanked: bool,
    /// Whether a PEP 658 metadata file may be fetched next to it (`<url>.metadata`): unless the
    /// index says there is none; when that fetch fails, the wheel is read instead.
    pub metadata: bool,
    /// The SHA-256 of the metadata file, if the index gives it (lowercase hex).
    pub metadata_sha256: Option<String>,
}

#[derive(Deserialize)]
struct Page {
    files: Vec<PageFile>,
}

#[derive(Deserialize)]
struct PageFile {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: std::collections::BTreeMap<String, String>,
    #[serde(rename = "requires-python", default)]
    requires_python: Option<String>,
    /// `false`, `true` or the reason (PEP 592).
    #[serde(default)]
    yanked: serde_json::Value,
    /// PEP 714 (`dist-info-metadata` before it): `false` says there is no metadata file. Some
    /// indexes leave the key out although they serve the file, so only `false` is believed.
    #[serde(rename = "core-metadata", alias = "dist-info-metadata", default)]
    core_metadata: serde_json::Value,
}

/// Parses a PEP 691 project page fetched from `page_url`; relative file URLs are resolved against
/// it. Only wheels are kept. An invalid `requires-python` makes the file unusable rather than
/// the page.
pub fn parse_page(bytes: &[u8], page_url: &str) -> Result<Vec<IndexFile>> {
    let page: Page = serde_json::from_slice(bytes).with_context(|| {
        format!(
            "{page_url} is not a PEP 691 JSON project page (application/vnd.pypi.simple.v1+json)"
        )
    })?;
    let base = url::Url::parse(page_url).with_context(|| format!("invalid URL {page_url}"))?;
    let mut files = Vec::new();
    for file in page.files {
        if !file.filename.ends_with(".whl")
            && !file.filename.ends_with(".tar.gz")
            && !file.filename.ends_with(".zip")
        {
            continue;
        }
        let url = base
            .join(&file.url)
            .with_context(|| format!("{page_url}: invalid URL {}", file.url))?;
        let mut url = url.to_string();
        if let Some(hash) = url.find('#') {
            url.truncate(hash);
        }
        let requires_python = match file.requires_python.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => match VersionSpecifiers::from_str(text) {
                Ok(specifiers) => Some(specifiers),
                Err(_) => continue,
            },
        };
        let metadata_sha256 = file
            .core_metadata
            .get("sha256")
            .and_then(|h| h.as_str())
            .map(str::to_ascii_lowercase);
        files.push(IndexFile {
            filename: file.filename,
            metadata_sha256,
            metadata: url.starts_with("http")
                && file.core_metadata != serde_json::Value::Bool(false),
            url,
            sha256: file.hashes.get("sha256").map(|h| h.to_ascii_lowercase()),
            requires_python,
            yanked: matches!(
                file.yanked,
                serde_json::Value::Bool(true) | serde_json::Value::String(_)
            ),
        });
    }
    Ok(files)
}

/// `url` without its user name and password: how locks and messages show an index or a file.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// The HTTP basic authentication of the indexes given with a user name and password
/// (`https://user:token@host/simple`), by origin: every request to that scheme, host and port
/// carries it as a header, while URLs themselves (in requests, messages and locks) never hold
/// credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials(Vec<(url::Origin, String)>);

impl Credentials {
    /// The credentials of `urls` (index URLs), the first one winning for an origin.
    pub fn of<'a>(urls: impl IntoIterator<Item = &'a str>) -> Self {
        use base64::Engine;
        let mut found: Vec<(url::Origin, String)> = Vec::new();
        for parsed in urls.into_iter().filter_map(|u| url::Url::parse(u).ok()) {
            if parsed.username().is_empty() && parsed.password().is_none() {
                continue;
            }
            if found.iter().any(|(origin, _)| *origin == parsed.origin()) {
                continue;
            }
            let decode =
                |text: &str| percent_encoding::percent_decode_str(text).collect::<Vec<u8>>();
            let mut pair = decode(parsed.username());
            pair.push(b':');
            pair.extend(decode(parsed.password().unwrap_or_default()));
            let token = base64::engine::general_purpose::STANDARD.encode(pair);
            found.push((parsed.origin(), format!("Basic {token}")));
        }
        Credentials(found)
    }

    /// The credentials of the indexes among `sources`.
    pub fn of_sources(sources: &[Source]) -> Self {
        Self::of(sources.iter().filter_map(|source| match source {
            Source::Index(url) => Some(url.as_str()),
            Source::FindLinks { .. } => None,
        }))
    }

    /// The `Authorization` header value for a request of `url`, if its origin has credentials.
    pub fn authorization(&self, url: &str) -> Option<String> {
        let origin = url::Url::parse(url).ok()?.origin();
        self.0
            .iter()
            .find(|(known, _)| *known == origin)
            .map(|(_, value)| value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_stay_out_of_urls_and_go_with_requests_of_their_origin() {
        let index = Source::index("https://user:p%40ss@pkgs.example/simple/");
        assert_eq!(index.describe(), "https://pkgs.example/simple");
        let name = PackageName::from_str("a").unwrap();
        assert_eq!(
            index.page_url(&name).unwrap(),
            "https://pkgs.example/simple/a/"
        );
        assert_eq!(
            redact("https://pkgs.example/simple"),
            "https://pkgs.example/simple"
        );
        let credentials = Credentials::of_sources(&[index]);
        assert_eq!(
            credentials.authorization("https://pkgs.example/files/a-1-py3-none-any.whl"),
            Some("Basic dXNlcjpwQHNz".to_string())
        );
        assert_eq!(
            credentials.authorization("https://pkgs.example:8443/files/a.whl"),
            None
        );
        assert_eq!(
            credentials.authorization("https://files.example/a.whl"),
            None
        );
        assert_eq!(credentials.authorization("wheels/a.whl"), None);
    }

    #[test]
    fn parses_a_project_page() {
        let page = br#"{"meta": {"api-version": "1.1"}, "name": "idna", "files": [
            {"filename": "idna-3.10-py3-none-any.whl", "url": "../../files/idna-3.10-py3-none-any.whl#sha256=AB",
             "hashes": {"sha256": "AB"}, "requires-python": ">=3.6", "yanked": false},
            {"filename": "idna-3.9-py3-none-any.whl", "url": "https://files.example/idna-3.9-py3-none-any.whl",
             "hashes": {}, "yanked": "broken"},
            {"filename": "idna-3.10.tar.gz", "url": "idna-3.10.tar.gz", "hashes": {}},
            {"filename": "idna-1.0.exe", "url": "x.exe", "hashes": {}}]}"#;
        let files = parse_page(page, "http://127.0.0.1:8080/simple/idna/").unwrap();
        assert_eq!(files.len(), 3);
        assert_eq!(
            files[0].url,
            "http://127.0.0.1:8080/files/idna-3.10-py3-none-any.whl"
        );
        assert_eq!(files[0].sha256.as_deref(), Some("ab"));
        assert!(!files[0].yanked && files[1].yanked);
        assert_eq!(
            files[2].url,
            "http://127.0.0.1:8080/simple/idna/idna-3.10.tar.gz"
        );
        let error = parse_page(b"<html>", "http://x/simple/idna/").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("is not a PEP 691 JSON project page")
        );
    }
}
