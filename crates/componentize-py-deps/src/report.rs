//! The words of a failed resolution: pubgrub's derivation tree told step by step, with the terms
//! of each step sorted by package, so that every host (whatever its hash maps iterate like)
//! prints the same text.

use std::fmt::Display;

use pep440_rs::Version;
use pubgrub::{
    DefaultStringReporter, Derived, External, Map, Ranges, ReportFormatter, Reporter, Term,
};

use crate::resolve::Package;

type Versions = Ranges<Version>;

/// The explanation of `tree`, one sentence per line.
pub(crate) fn explain(tree: &pubgrub::DerivationTree<Package, Versions, String>) -> String {
    DefaultStringReporter::report_with_formatter(tree, &Words)
}

/// A package with the versions a step is about.
fn package(package: &Package, versions: &Versions) -> String {
    match package {
        Package::Root => "the app".to_string(),
        _ if versions == &Ranges::full() => package.to_string(),
        _ => format!("{package} {versions}"),
    }
}

struct Words;

impl Words {
    fn terms(terms: &Map<Package, Term<Versions>>) -> String {
        let mut sorted: Vec<_> = terms.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        match sorted[..] {
            [] => "resolution failed".to_string(),
            [(Package::Root, Term::Positive(_))] => {
                "the app's requirements cannot all be met".to_string()
            }
            [(p, Term::Positive(v))] => format!("{} cannot be used", package(p, v)),
            [(p, Term::Negative(v))] => format!("{} must be used", package(p, v)),
            [(p1, Term::Positive(v1)), (p2, Term::Negative(v2))]
            | [(p2, Term::Negative(v2)), (p1, Term::Positive(v1))] => {
                format!("{} depends on {}", package(p1, v1), package(p2, v2))
            }
            _ => {
                let parts: Vec<String> = sorted
                    .iter()
                    .map(|(p, term)| match term {
                        Term::Positive(v) => package(p, v),
                        Term::Negative(v) => format!("not {}", package(p, v)),
                    })
                    .collect();
                format!("{} cannot be used together", parts.join(", "))
            }
        }
    }

    fn derived(id: usize, derived: &Derived<Package, Versions, String>) -> String {
        format!("{} ({id})", Self::terms(&derived.terms))
    }
}

fn sentence(start: &str, causes: impl Display, terms: &Map<Package, Term<Versions>>) -> String {
    format!("{start} {causes}, {}.", Words::terms(terms))
}

impl ReportFormatter<Package, Versions, String> for Words {
    type Output = String;

    fn format_external(&self, external: &External<Package, Versions, String>) -> String {
        match external {
            External::NotRoot(p, _) => format!("{p} is what is resolved"),
            External::NoVersions(p, v) if v == &Ranges::full() => {
                format!("no version of {p} is available")
            }
            External::NoVersions(p, v) => format!("no version of {} is available", package(p, v)),
            External::Custom(p, v, why) => format!("{} is unusable ({why})", package(p, v)),
            External::FromDependencyOf(p, v, dependency, range) => {
                format!(
                    "{} depends on {}",
                    package(p, v),
                    package(dependency, range)
                )
            }
        }
    }

    fn format_terms(&self, terms: &Map<Package, Term<Versions>>) -> String {
        Self::terms(terms)
    }

    fn explain_both_external(
        &self,
        external1: &External<Package, Versions, String>,
        external2: &External<Package, Versions, String>,
        current_terms: &Map<Package, Term<Versions>>,
    ) -> String {
        let causes = format!(
            "{} and {}",
            self.format_external(external1),
            self.format_external(external2)
        );
        sentence("Because", causes, current_terms)
    }

    fn explain_both_ref(
        &self,
        ref_id1: usize,
        derived1: &Derived<Package, Versions, String>,
        ref_id2: usize,
        derived2: &Derived<Package, Versions, String>,
        current_terms: &Map<Package, Term<Versions>>,
    ) -> String {
        let causes = format!(
            "{} and {}",
            Self::derived(ref_id1, derived1),
            Self::derived(ref_id2, derived2)
        );
        sentence("Because", causes, current_terms)
    }

    fn explain_ref_and_external(
        &self,
        ref_id: usize,
        derived: &Derived<Package, Versions, String>,
        external: &External<Package, Versions, String>,
        current_terms: &Map<Package, Term<Versions>>,
    ) -> String {
        let causes = format!(
            "{} and {}",
            Self::derived(ref_id, derived),
            self.format_external(external)
        );
        sentence("Because", causes, current_terms)
    }

    fn and_explain_external(
        &self,
        external: &External<Package, Versions, String>,
        current_terms: &Map<Package, Term<Versions>>,
    ) -> String {
        sentence("And because", self.format_external(external), current_terms)
    }

    fn and_explain_ref(
        &self,
        ref_id: usize,
        derived: &Derived<Package, Versions, String>,
        current_terms: &Map<Package, Term<Versions>>,
    ) -> String {
        sentence("And because", Self::derived(ref_id, derived), current_terms)
    }

    fn and_explain_prior_and_external(
        &self,
        prior_external: &External<Package, Versions, String>,
        external: &External<Package, Versions, String>,
        current_terms: &Map<Package, Term<Versions>>,
    ) -> String {
        let causes = format!(
            "{} and {}",
            self.format_external(prior_external),
            self.format_external(external)
        );
        sentence("And because", causes, current_terms)
    }
}
