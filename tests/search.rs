//! `evcat search` compiles only the events whose fields can change the results. These tests
//! hold it to the results of compiling every schema, on the example catalog with awkward
//! schemas added (JSON escapes, `$ref`s into another event, multi-line Protobuf comments,
//! Google's types) and on a generated one.

mod common;

use std::path::Path;

use common::Fixture;
use evcat::catalog::Catalog;
use evcat::discover::search::{search, search_compiled};
use evcat::discover::{Detail, Discovery};
use evcat::tree::DiskTree;

#[path = "../examples/gencat.rs"]
#[allow(dead_code)]
mod gencat;

fn load(root: &Path) -> Catalog {
    let tree = DiskTree::new(root).unwrap();
    Catalog::load(Box::new(tree)).unwrap().catalog
}

const QUERIES: &[&str] = &[
    "amount",
    "currency",
    "customer_id",
    "CustomerId",
    "kilograms",
    "kilogram",
    "kilogrms",
    "gross weight",
    "grossweight",
    "depot",
    "seconds",
    "nanos",
    "sku",
    "quantty",
    "postalcode",
    "site",
    "note text",
    "reason",
    "order",
    "payment captured",
    "shipment cause",
    "cause",
    "timestamp",
    "zzzzqqq",
    "Event00001Happened",
    "f1",
    "note",
    "happened domain003",
];

fn assert_same_results(root: &Path) {
    let catalog = load(root);
    let compiled = Discovery::build(&catalog, Detail::Fields);
    for query in QUERIES {
        for limit in [1, 2, 5, 20, 1000] {
            let mut lazy = Discovery::build(&catalog, Detail::Summary);
            let expected = serde_json::to_value(search_compiled(&compiled, query, limit)).unwrap();
            let found = serde_json::to_value(search(&catalog, &mut lazy, query, limit)).unwrap();
            assert_eq!(found, expected, "`{query}`, limit {limit}");
        }
    }
}

#[test]
fn compiling_only_what_can_matter_gives_the_results_of_compiling_all() {
    let fixture = Fixture::example();
    fixture
        .write(
            "domains/shipping/events/ParcelWeighed/event.yaml",
            "name: ParcelWeighed\nsummary: A parcel was weighed.\nstatus: draft\nformat: json\n\
             schema: schema.json\ntopics: [shipping.parcel-weighed.v1]\n\
             producers: [carrier-gateway]\n",
        )
        .write(
            "domains/shipping/events/ParcelWeighed/schema.json",
            r##"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "gross weight": {"type": "number", "description": "Weight, measured at the depot"},
    "delay": {"$ref": "../ShipmentDelayed/schema.json#/properties/cause"},
    "depot": {"$ref": "depot.json"}
  }
}"##,
        )
        .write(
            "domains/shipping/events/ParcelLabelled/event.yaml",
            "name: ParcelLabelled\nsummary: A parcel got its label.\nstatus: draft\n\
             format: avro\nschema: schema.avsc\ntopics: [shipping.parcel-labelled.v1]\n\
             producers: [carrier-gateway]\n",
        )
        .write(
            "domains/shipping/events/ParcelLabelled/schema.avsc",
            r#"{"type": "record", "name": "ParcelLabelled", "namespace": "acme.shipping.v1",
                "fields": [{"name": "weight", "type": "double",
                            "doc": "Label weight in \u006bilograms,\nchecked"}]}"#,
        )
        .write(
            "domains/shipping/events/ParcelWeighed/depot.json",
            r#"{"type": "object", "properties": {
                "site": {"$ref": "../../../common/schemas/address.json"}}}"#,
        )
        .write(
            "domains/orders/events/OrderNoted/event.yaml",
            "name: OrderNoted\nsummary: Someone wrote on an order.\nstatus: draft\n\
             format: protobuf\nschema: schema.proto\ntopics: [orders.order-noted.v1]\n\
             producers: [order-service]\n",
        )
        .write(
            "domains/orders/events/OrderNoted/schema.proto",
            "syntax = \"proto3\";\npackage acme.orders.v1;\n\
             import \"google/protobuf/duration.proto\";\n\
             message OrderNoted {\n  // The note's\n  // text\n  string note = 1;\n\
             \x20 google.protobuf.Duration reason_age = 2;\n}\n",
        );
    assert_same_results(fixture.root());
}

#[test]
fn a_generated_catalog_gives_the_same_results_and_compiles_few_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog");
    gencat::generate(&gencat::Options {
        fields: 6,
        ..gencat::Options::new(150, root.clone())
    })
    .unwrap();
    assert_same_results(&root);
    let catalog = load(&root);
    let mut lazy = Discovery::build(&catalog, Detail::Summary);
    let hits = search(&catalog, &mut lazy, "amount", 5);
    assert_eq!(hits.len(), 5);
    let compiled = lazy
        .events
        .iter()
        .filter(|event| !event.fields.is_empty())
        .count();
    assert!(compiled < 150 / 2, "{compiled} of 150 events compiled");
}
