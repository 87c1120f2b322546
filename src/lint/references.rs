//! References between catalog entries: owners are declared teams, producers and consumers are
//! declared services, and names are unique.

use std::collections::HashMap;

use crate::catalog::{Catalog, PLACEHOLDER, SETTINGS_FILE};
use crate::findings::{closest, finding, Findings, Site};
use crate::rules;
use crate::source::Seg;
use crate::tree::CatalogPath;

pub fn check(catalog: &Catalog, findings: &mut Findings) {
    check_owners(catalog, findings);
    check_services(catalog, findings);
    check_unique_names(catalog, findings);
}

fn check_owners(catalog: &Catalog, findings: &mut Findings) {
    if !catalog.settings_loaded {
        return; // The broken evcat.yaml is reported; its teams are unknown, not absent.
    }
    let teams: Vec<&str> = catalog.settings.teams.keys().map(String::as_str).collect();
    let mut check = |owner: &str, file: &CatalogPath| {
        if catalog.settings.teams.contains_key(owner) {
            return;
        }
        if owner == PLACEHOLDER {
            findings.push(placeholder(
                Site::value(file, vec![Seg::key("owner")]),
                "owner",
            ));
            return;
        }
        let mut result = finding(
            rules::UNKNOWN_TEAM,
            Site::value(file, vec![Seg::key("owner")]),
            format!("owner `{owner}` is not a team declared in {SETTINGS_FILE}"),
        );
        result.help = Some(match closest(owner, &teams) {
            Some(team) => format!("did you mean `{team}`?"),
            None => format!("declare it under `teams:` in {SETTINGS_FILE}"),
        });
        findings.push(result);
    };
    for domain in &catalog.domains {
        if let Some(spec) = &domain.spec {
            check(&spec.owner, &domain.manifest);
        }
    }
    for service in &catalog.services {
        if let Some(owner) = service.spec.as_ref().and_then(|spec| spec.owner.as_ref()) {
            check(owner, &service.file);
        }
    }
    for event in &catalog.events {
        if let Some(owner) = &event.spec.owner {
            check(owner, &event.file);
        }
    }
}

fn check_services(catalog: &Catalog, findings: &mut Findings) {
    let services: Vec<&str> = catalog
        .services
        .iter()
        .map(|service| service.name.as_str())
        .collect();
    for event in &catalog.events {
        for (key, names) in [
            ("producers", &event.spec.producers),
            ("consumers", &event.spec.consumers),
        ] {
            for (index, name) in names.iter().enumerate() {
                if catalog.service(name).is_some() {
                    continue;
                }
                if name == PLACEHOLDER {
                    let site = Site::value(&event.file, vec![Seg::key(key), Seg::Index(index)]);
                    findings.push(placeholder(site, key));
                    continue;
                }
                let mut result = finding(
                    rules::UNKNOWN_SERVICE,
                    Site::value(&event.file, vec![Seg::key(key), Seg::Index(index)]),
                    format!(
                        "{} `{name}` is not a declared service",
                        &key[..key.len() - 1]
                    ),
                );
                result.help = Some(match closest(name, &services) {
                    Some(service) => format!("did you mean `{service}`?"),
                    None => format!(
                        "declare it in domains/{}/services/{name}.yaml (or the domain that owns it)",
                        event.domain
                    ),
                });
                findings.push(result);
            }
        }
    }
}

/// `G012`: `what` is still the placeholder an import left.
pub fn placeholder(site: Site, what: &str) -> crate::findings::Finding {
    finding(
        rules::PLACEHOLDER,
        site,
        format!("`{what}` is still {PLACEHOLDER}: evcat import could not know it"),
    )
    .with_help(match what {
        "owner" => "name the owning team (declared under `teams:` in evcat.yaml)",
        "summary" => "say in one line what happened, in business terms",
        _ => "list the services (declared under the domains' services/)",
    })
}

fn check_unique_names(catalog: &Catalog, findings: &mut Findings) {
    let mut services: HashMap<&str, &CatalogPath> = HashMap::new();
    for service in &catalog.services {
        if let Some(first) = services.insert(service.name.as_str(), &service.file) {
            findings.add(
                rules::DUPLICATE_NAME,
                Site::File(service.file.clone()),
                format!("service `{}` is also declared in {first}", service.name),
            );
        }
    }
    let mut events: HashMap<(&str, &str), &CatalogPath> = HashMap::new();
    for event in &catalog.events {
        let key = (event.domain.as_str(), event.spec.name.as_str());
        if let Some(first) = events.insert(key, &event.file) {
            findings.add(
                rules::DUPLICATE_NAME,
                Site::value(&event.file, vec![Seg::key("name")]),
                format!(
                    "event `{}` is also declared in {first}; names are unique within a domain",
                    event.spec.name
                ),
            );
        }
    }
}
