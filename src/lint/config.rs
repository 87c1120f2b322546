//! Rule settings from `evcat.yaml`'s `rules:` section: a severity per rule, by id or name, and
//! the options of the naming rules. Mistakes here are findings against evcat.yaml.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use regex::Regex;
use serde_json::Value;

use crate::catalog::{Catalog, Format, SETTINGS_FILE};
use crate::findings::{closest, finding, Findings, SeverityOverrides, Site};
use crate::rules::{self, Rule, Severity};
use crate::source::Seg;
use crate::tree::CatalogPath;

/// A case convention for names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    Camel,
    Snake,
    Pascal,
    Kebab,
    Any,
}

/// A name's words, lower case: split at `_`, `-`, and where the case turns (`customerID` and
/// `CustomerId` are both `customer`, `id`; `HTTPStatus` is `http`, `status`).
fn words_of(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for (index, &ch) in chars.iter().enumerate() {
        if matches!(ch, '_' | '-' | '.' | ' ') {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let previous = index.checked_sub(1).map(|before| chars[before]);
        let next = chars.get(index + 1);
        let turns = ch.is_uppercase()
            && previous.is_some_and(|before| {
                before.is_lowercase()
                    || before.is_ascii_digit()
                    || (before.is_uppercase() && next.is_some_and(|after| after.is_lowercase()))
            });
        if turns && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.extend(ch.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The severities a rule may be set to.
const SEVERITIES: [&str; 3] = ["error", "warn", "off"];

impl Case {
    const NAMES: [&'static str; 5] = ["camelCase", "snake_case", "PascalCase", "kebab-case", "any"];

    fn parse(text: &str) -> Option<Case> {
        match text {
            "camelCase" => Some(Case::Camel),
            "snake_case" => Some(Case::Snake),
            "PascalCase" => Some(Case::Pascal),
            "kebab-case" => Some(Case::Kebab),
            "any" => Some(Case::Any),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Case::Camel => "camelCase",
            Case::Snake => "snake_case",
            Case::Pascal => "PascalCase",
            Case::Kebab => "kebab-case",
            Case::Any => "any",
        }
    }

    /// `name` (in any case) written in this case: `customer_id` as camelCase is `customerId`.
    pub fn spell(self, name: &str) -> String {
        let words = words_of(name);
        let capitalized = |word: &String| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        };
        match self {
            Case::Any => name.to_string(),
            Case::Snake => words.join("_"),
            Case::Kebab => words.join("-"),
            Case::Pascal => words.iter().map(capitalized).collect(),
            Case::Camel => words
                .iter()
                .enumerate()
                .map(|(index, word)| match index {
                    0 => word.clone(),
                    _ => capitalized(word),
                })
                .collect(),
        }
    }

    pub fn matches(self, name: &str) -> bool {
        let mut chars = name.chars();
        let Some(first) = chars.next() else {
            return false;
        };
        let rest = chars.as_str();
        let words = |separator: char| {
            first.is_ascii_lowercase()
                && !name.ends_with(separator)
                && !name.contains(&format!("{separator}{separator}"))
                && rest
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == separator)
        };
        match self {
            Case::Any => true,
            Case::Camel => {
                first.is_ascii_lowercase() && rest.chars().all(|ch| ch.is_ascii_alphanumeric())
            }
            Case::Pascal => {
                first.is_ascii_uppercase() && rest.chars().all(|ch| ch.is_ascii_alphanumeric())
            }
            Case::Snake => words('_'),
            Case::Kebab => words('-'),
        }
    }
}

/// A regular expression with a `{domain}` placeholder, compiled once per domain.
#[derive(Debug)]
pub struct DomainPattern {
    template: String,
    /// Per domain; behind a lock so events are checked on all cores.
    compiled: RwLock<HashMap<String, Regex>>,
    /// How a domain name is written into the pattern (namespaces cannot hold `-`).
    underscore_domain: bool,
}

impl DomainPattern {
    fn new(template: &str, underscore_domain: bool) -> Result<Self, regex::Error> {
        // Compile once with a sample domain so a bad pattern is reported up front.
        Regex::new(&template.replace("{domain}", "domain"))?;
        Ok(DomainPattern {
            template: template.to_string(),
            compiled: RwLock::new(HashMap::new()),
            underscore_domain,
        })
    }

    pub fn template(&self) -> &str {
        &self.template
    }

    pub fn is_match(&self, domain: &str, text: &str) -> bool {
        // Matched under the read lock: a cloned `Regex` would start with empty match caches.
        if let Some(regex) = self
            .compiled
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(domain)
        {
            return regex.is_match(text);
        }
        let written = if self.underscore_domain {
            domain.replace('-', "_")
        } else {
            domain.to_string()
        };
        let pattern = self.template.replace("{domain}", &regex::escape(&written));
        // The template compiled with a sample domain, and an escaped domain is a literal, so
        // this cannot fail; fall back to a never-matching regex all the same.
        let regex =
            Regex::new(&pattern).unwrap_or_else(|_| Regex::new("[^\\s\\S]").expect("valid regex"));
        let matched = regex.is_match(text);
        self.compiled
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(domain.to_string(), regex);
        matched
    }
}

/// The naming rules' options.
#[derive(Debug)]
pub struct NamingOptions {
    pub topic: DomainPattern,
    pub event: Regex,
    pub service: Regex,
    pub namespace: DomainPattern,
    pub field_case: HashMap<Format, Case>,
}

impl Default for NamingOptions {
    fn default() -> Self {
        // The defaults are constants, covered by unit tests.
        NamingOptions {
            topic: DomainPattern::new(DEFAULT_TOPIC, false).expect("default topic pattern"),
            event: Regex::new(DEFAULT_EVENT).expect("default event pattern"),
            service: Regex::new(DEFAULT_SERVICE).expect("default service pattern"),
            namespace: DomainPattern::new(DEFAULT_NAMESPACE, true)
                .expect("default namespace pattern"),
            field_case: HashMap::from([
                (Format::Avro, Case::Camel),
                (Format::Protobuf, Case::Snake),
                (Format::Json, Case::Camel),
            ]),
        }
    }
}

const DEFAULT_TOPIC: &str = r"^{domain}\.[a-z0-9-]+\.v[0-9]+$";
const DEFAULT_EVENT: &str = r"^[A-Z][A-Za-z0-9]*$";
const DEFAULT_SERVICE: &str = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$";
const DEFAULT_NAMESPACE: &str = r"(^|\.){domain}(\.|$)";

/// The settings every lint check reads.
#[derive(Debug)]
pub struct LintConfig {
    pub severities: SeverityOverrides,
    pub naming: NamingOptions,
    /// `G009`'s `days`: how far ahead of a sunset its consumers are warned.
    pub sunset_warning_days: u32,
}

impl Default for LintConfig {
    fn default() -> Self {
        LintConfig {
            severities: SeverityOverrides::default(),
            naming: NamingOptions::default(),
            sunset_warning_days: super::lifecycle::DEFAULT_SUNSET_WARNING_DAYS,
        }
    }
}

impl LintConfig {
    /// Reads `rules:` from the catalog's settings, reporting mistakes in it.
    pub fn from_catalog(catalog: &Catalog, findings: &mut Findings) -> Self {
        let mut config = LintConfig::default();
        let file = CatalogPath::root().child(SETTINGS_FILE);
        for (key, value) in &catalog.settings.rules {
            let key_path = vec![Seg::key("rules"), Seg::Key(key.clone())];
            let Some(rule) = rules::find(key) else {
                let names: Vec<&str> = rules::ALL.iter().map(|rule| rule.name).collect();
                let mut unknown = finding(
                    rules::UNKNOWN_KEY,
                    Site::key(&file, key_path),
                    format!("unknown rule `{key}`"),
                );
                unknown.help = Some(match closest(key, &names) {
                    Some(name) => format!("did you mean `{name}`? (`evcat rules` lists them all)"),
                    None => "`evcat rules` lists every rule by id and name".to_string(),
                });
                findings.push(unknown);
                continue;
            };
            let mut context = OptionContext {
                file: &file,
                rule,
                key_path,
                bare_severity: value.is_string(),
                findings,
            };
            match value {
                Value::String(_) => context.apply(&mut config, "severity", value),
                Value::Object(options) => {
                    for (option, option_value) in options {
                        context.apply(&mut config, option, option_value);
                    }
                }
                _ => {} // The evcat.yaml schema already reported it.
            }
        }
        config
    }
}

struct OptionContext<'a> {
    file: &'a CatalogPath,
    rule: &'static Rule,
    key_path: Vec<Seg>,
    /// The rule's value is a severity string rather than an object of options.
    bare_severity: bool,
    findings: &'a mut Findings,
}

impl OptionContext<'_> {
    fn apply(&mut self, config: &mut LintConfig, option: &str, value: &Value) {
        let text = value.as_str().unwrap_or_default();
        match (self.rule.id, option) {
            (_, "severity") => match Severity::parse(text) {
                Some(severity) => config.severities.set(self.rule, severity),
                None => {
                    let help = match closest(text, &SEVERITIES) {
                        Some(severity) => format!("did you mean `{severity}`?"),
                        None => format!("use one of {}", SEVERITIES.join(", ")),
                    };
                    self.invalid(option, format!("`{text}` is not a severity"), help);
                }
            },
            ("N001", "pattern") => {
                if let Some(pattern) = self.domain_pattern(option, text, false) {
                    config.naming.topic = pattern;
                }
            }
            ("N005", "pattern") => {
                if let Some(pattern) = self.domain_pattern(option, text, true) {
                    config.naming.namespace = pattern;
                }
            }
            ("N002", "pattern") => {
                if let Some(regex) = self.regex(option, text) {
                    config.naming.event = regex;
                }
            }
            ("N003", "pattern") => {
                if let Some(regex) = self.regex(option, text) {
                    config.naming.service = regex;
                }
            }
            ("G009", "days") => match value.as_u64().and_then(|days| u32::try_from(days).ok()) {
                Some(days) => config.sunset_warning_days = days,
                None => self.invalid(
                    option,
                    format!("`{value}` is not a number of days"),
                    "write a whole number, e.g. `days: 60`".to_string(),
                ),
            },
            ("N004", "avro" | "protobuf" | "json") => {
                let format = match option {
                    "avro" => Format::Avro,
                    "protobuf" => Format::Protobuf,
                    _ => Format::Json,
                };
                match Case::parse(text) {
                    Some(case) => {
                        config.naming.field_case.insert(format, case);
                    }
                    None => self.invalid(
                        option,
                        format!("`{text}` is not a case convention"),
                        format!("use one of {}", Case::NAMES.join(", ")),
                    ),
                }
            }
            _ => {
                let mut path = self.key_path.clone();
                path.push(Seg::key(option));
                self.findings.push(
                    finding(
                        rules::UNKNOWN_KEY,
                        Site::key(self.file, path),
                        format!(
                            "rule {} ({}) has no option `{option}`",
                            self.rule.id, self.rule.name
                        ),
                    )
                    .with_help(format!(
                        "`evcat rules {}` describes its options",
                        self.rule.id
                    )),
                );
            }
        }
    }

    fn regex(&mut self, option: &str, text: &str) -> Option<Regex> {
        let compiled = Regex::new(text);
        self.compiled(option, compiled)
    }

    fn domain_pattern(
        &mut self,
        option: &str,
        text: &str,
        underscore: bool,
    ) -> Option<DomainPattern> {
        let compiled = DomainPattern::new(text, underscore);
        self.compiled(option, compiled)
    }

    /// Reports a pattern that does not compile.
    fn compiled<T>(&mut self, option: &str, result: Result<T, regex::Error>) -> Option<T> {
        result
            .map_err(|error| {
                self.invalid(
                    option,
                    format!("invalid regular expression: {error}"),
                    String::new(),
                )
            })
            .ok()
    }

    fn invalid(&mut self, option: &str, message: String, help: String) {
        let mut path = self.key_path.clone();
        // A bare severity (`N001: warn`) is the rule's own value, not an option under it.
        if !self.bare_severity {
            path.push(Seg::key(option));
        }
        let mut result = finding(rules::INVALID_VALUE, Site::value(self.file, path), message);
        if !help.is_empty() {
            result.help = Some(help);
        }
        self.findings.push(result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert!(Case::Camel.matches("amountCents"));
        assert!(!Case::Camel.matches("amount_cents"));
        assert!(Case::Snake.matches("amount_cents2"));
        assert!(!Case::Snake.matches("amountCents"));
        assert!(!Case::Snake.matches("amount__cents"));
        assert!(Case::Pascal.matches("PaymentAuthorized"));
        assert!(Case::Kebab.matches("payment-gateway"));
        assert!(!Case::Kebab.matches("payment-"));
        assert!(Case::Any.matches("Whatever_Goes"));
    }

    #[test]
    fn spelling_a_name_in_a_case() {
        assert_eq!(Case::Camel.spell("customer_id"), "customerId");
        assert_eq!(Case::Snake.spell("CustomerID"), "customer_id");
        assert_eq!(Case::Snake.spell("HTTPStatusCode"), "http_status_code");
        assert_eq!(Case::Pascal.spell("order-line_item"), "OrderLineItem");
        assert_eq!(Case::Kebab.spell("amountMinor2"), "amount-minor2");
        assert_eq!(Case::Any.spell("Cust_ID"), "Cust_ID");
        for case in [Case::Camel, Case::Snake, Case::Pascal, Case::Kebab] {
            assert!(case.matches(&case.spell("the_customer_ID")), "{case:?}");
        }
    }

    #[test]
    fn default_patterns() {
        let naming = NamingOptions::default();
        assert!(naming
            .topic
            .is_match("payments", "payments.payment-authorized.v1"));
        assert!(!naming
            .topic
            .is_match("payments", "orders.payment-authorized.v1"));
        assert!(!naming
            .topic
            .is_match("payments", "payments.PaymentAuthorized"));
        assert!(naming
            .namespace
            .is_match("customer-care", "acme.customer_care.v1"));
        assert!(!naming.namespace.is_match("payments", "acme.paymentsx"));
        assert!(naming.event.is_match("OrderPlaced"));
        assert!(naming.service.is_match("order-api"));
    }
}
