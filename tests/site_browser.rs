//! The example catalog's site in a real browser: headless Chromium driven through WebDriver
//! (Debian's `chromium` and `chromium-driver`, Python's selenium from the project-local virtual
//! environment that tests/python/venv.sh creates). The site is opened from `file://`, as a
//! person opening a downloaded build would. The suite is tests/browser/test_site.py; its
//! screenshots go to target/site-screenshots. `.ci/run` installs the browser when missing and
//! sets EVCAT_REQUIRE_BROWSER, so there a missing browser fails instead of skipping.

mod common;

use std::path::Path;
use std::process::Command;

fn browser_available() -> bool {
    ["chromium", "chromedriver"].iter().all(|program| {
        Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success())
    })
}

#[test]
fn the_site_works_in_a_real_browser() {
    if !browser_available() {
        assert!(
            std::env::var_os("EVCAT_REQUIRE_BROWSER").is_none(),
            "EVCAT_REQUIRE_BROWSER is set but chromium or chromedriver cannot run"
        );
        eprintln!("chromium and chromedriver are not installed: the browser test is skipped");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture =
        common::example_site("Settled <script>window.evcatInjected = true</script> money");
    let screenshots = root.join("target/site-screenshots");
    std::fs::create_dir_all(&screenshots).unwrap();
    let site = fixture.root().join("public");
    common::run_pytest(
        "tests/browser",
        &[
            ("SITE_DIR", site.as_os_str()),
            ("SCREENSHOTS", screenshots.as_os_str()),
        ],
    );
}
