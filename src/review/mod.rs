//! Contract review: who must approve a change. An event's owner team and, when
//! `review.consumers` is on (the default), the teams of its consuming services; a domain's
//! folder its owner; a service file its owner; evcat.yaml and the vocabulary the governance
//! team (`review.governance`). `evcat codeowners` writes this as CODEOWNERS, so the code host
//! asks those teams; `evcat check --format markdown` names them for breaking changes.

pub mod codeowners;

use serde::Serialize;

use crate::catalog::{Catalog, Event};

/// A team whose approval a change to an event needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Approver {
    pub team: String,
    /// Its handle on the catalog's code host (`review.host`), when evcat.yaml gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// Why: `owner`, or the consuming services it owns.
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "services")]
pub enum Role {
    Owner,
    Consumer(Vec<String>),
}

impl Approver {
    /// `payments-team (@acme/payments), consumer: ledger`; `quote` wraps the handle (Markdown
    /// puts it in a code span, so a bot's comment names the team without notifying it).
    pub fn describe(&self, quote: &str) -> String {
        let who = match &self.handle {
            Some(handle) => format!("{} ({quote}{handle}{quote})", self.team),
            None => self.team.clone(),
        };
        match &self.role {
            Role::Owner => format!("{who}, owner"),
            Role::Consumer(services) => format!("{who}, consumer: {}", services.join(", ")),
        }
    }
}

/// A team's handle on the catalog's code host (`review.host`), when evcat.yaml gives one.
pub fn handle_of<'c>(catalog: &'c Catalog, team: &str) -> Option<&'c str> {
    catalog
        .settings
        .teams
        .get(team)
        .and_then(|declared| declared.handle(catalog.settings.review.host))
}

/// The teams whose approval a change to `event` needs: its owner first, then (per
/// `review.consumers`) each team owning a consumer, once, in the order the consumers are listed.
/// Consumers without a known owner have no team to ask and are left out.
pub fn event_approvers(catalog: &Catalog, event: &Event) -> Vec<Approver> {
    let handle = |team: &str| handle_of(catalog, team).map(str::to_string);
    let mut approvers: Vec<Approver> = Vec::new();
    let owner = catalog.event_owner(event);
    if let Some(owner) = owner {
        approvers.push(Approver {
            team: owner.to_string(),
            handle: handle(owner),
            role: Role::Owner,
        });
    }
    if !catalog.settings.review.consumers {
        return approvers;
    }
    for service in &event.spec.consumers {
        let Some(team) = catalog.service_owner(service) else {
            continue;
        };
        if Some(team) == owner {
            continue;
        }
        match approvers.iter_mut().find(|approver| approver.team == team) {
            Some(Approver {
                role: Role::Consumer(services),
                ..
            }) => services.push(service.clone()),
            Some(_) => {}
            None => approvers.push(Approver {
                team: team.to_string(),
                handle: handle(team),
                role: Role::Consumer(vec![service.clone()]),
            }),
        }
    }
    approvers
}
