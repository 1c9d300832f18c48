package io.quarkiverse.cmscache.sample;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import io.quarkus.test.QuarkusDevModeTest;

/**
 * The cache inspector of the sample site, in dev mode (H2, L1 only), in headless Chromium: the Dependencies page lists
 * the pages built with the header block. Screenshots of the pages go to {@code target/inspector-screenshots}, and
 * into the guide's images ({@code docs/modules/ROOT/assets/images}) when those are missing or when the build runs with
 * {@code -Dcms.docs.screenshots=true}.
 * <p>
 * Needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} (Debian packages {@code chromium} and
 * {@code chromium-driver}; {@code .ci/run} installs them).
 */
public class InspectorBrowserIT {

    static final String CHROMIUM = System.getProperty("chromium.binary", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("chromedriver.binary", "/usr/bin/chromedriver");
    static final String DEV_UI = "http://localhost:8080/q/dev-ui/quarkus-cms-cache/";
    static final Path SCREENSHOTS = Path.of("target/inspector-screenshots");
    static final Path DOCS_IMAGES = Path.of("../docs/modules/ROOT/assets/images");

    @RegisterExtension
    static final QuarkusDevModeTest site = new QuarkusDevModeTest()
            .withApplicationRoot(jar -> jar
                    .addPackages(true, "io.quarkiverse.cmscache.sample.content", "io.quarkiverse.cmscache.sample.seed",
                            "io.quarkiverse.cmscache.sample.site", "io.quarkiverse.cmscache.sample.web")
                    .addAsResource(new File("src/main/resources/application.properties"), "application.properties"));

    static ChromeDriver browser;
    static Path userDataDir;

    @BeforeAll
    static void startBrowser() throws IOException {
        assertTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "this test needs " + CHROMIUM + " and " + CHROMEDRIVER + ": apt-get install -y chromium chromium-driver");
        userDataDir = Files.createTempDirectory("cms-cache-chromium");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + userDataDir, "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1400, 1000));
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (userDataDir != null) {
            try (var files = Files.walk(userDataDir)) {
                files.sorted((a, b) -> b.compareTo(a)).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    /** Finds an element by CSS selector through every shadow root, from the document down. */
    static final String DEEP_QUERY = """
            const find = (root, selector) => {
                const found = root.querySelector(selector);
                if (found) return found;
                for (const element of root.querySelectorAll('*')) {
                    if (element.shadowRoot) {
                        const inner = find(element.shadowRoot, selector);
                        if (inner) return inner;
                    }
                }
                return null;
            };
            """;

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(DEEP_QUERY + script, args);
    }

    /** Waits for the page's component to render the element, inside its shadow root. */
    void awaitElement(String component, String selector) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> (Boolean) js(
                "const c = find(document, arguments[0]); return !!(c && c.shadowRoot && c.shadowRoot.querySelector(arguments[1]));",
                component, selector));
    }

    @SuppressWarnings("unchecked")
    List<String> texts(String component, String selector) {
        return (List<String>) js("const c = find(document, arguments[0]);"
                + "return Array.from(c.shadowRoot.querySelectorAll(arguments[1])).map(e => e.textContent.trim());",
                component, selector);
    }

    @Test
    void dependenciesPageListsThePagesBuiltWithTheHeader() throws IOException {
        given().get("/").then().statusCode(200).body(containsString("CMS Cache demo"));
        given().get("/about").then().statusCode(200);
        given().get("/about?lang=de").then().statusCode(200);

        browser.get(DEV_UI + "dependencies");
        String component = "qwc-cms-cache-dependencies";
        awaitElement(component, "#tag");
        js("""
                const page = find(document, arguments[0]).shadowRoot;
                const input = page.querySelector('#tag');
                input.value = 'block:header';
                input.dispatchEvent(new Event('input'));
                page.querySelector('#find-dependents').click();
                """, component);
        awaitElement(component, "ul.region[data-region='rendered'] li");

        List<String> rendered = texts(component, "ul.region[data-region='rendered'] li");
        assertTrue(rendered.containsAll(List.of("rendered:demo:home:en", "rendered:demo:about:en",
                "rendered:demo:about:de")), rendered.toString());
        assertTrue(texts(component, "ul.region[data-region='block'] li").contains("block:header"));
        screenshot("inspector-dependencies.png");

        // The invalidation log, open while an editor saves the header: the invalidation shows up live.
        browser.get(DEV_UI + "invalidations");
        awaitElement("qwc-cms-cache-invalidations", "#invalidations");
        Editor.saveBlock("header", "<header><a href=\"/\">CMS Cache demo, edited</a></header>");
        awaitElement("qwc-cms-cache-invalidations", "#invalidations td");
        List<String> log = texts("qwc-cms-cache-invalidations", "#invalidations td");
        assertTrue(log.contains("block:header"), log.toString());
        assertTrue(log.contains("4"), "the header and the three pages built with it were evicted: " + log);
        given().get("/").then().statusCode(200).body(containsString("edited"));
        screenshot("inspector-invalidations.png");

        browser.get(DEV_UI + "regions");
        awaitElement("qwc-cms-cache-regions", "#regions td");
        assertTrue(texts("qwc-cms-cache-regions", "#regions td").contains("rendered"));
        screenshot("inspector-regions.png");
    }

    void screenshot(String name) throws IOException {
        // Dev UI's own notifications (such as the extension catalogue it cannot reach offline) are not ours to show.
        js("document.querySelectorAll('vaadin-notification-container, vaadin-notification-card').forEach(n => n.remove());");
        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name), png);
        Path doc = DOCS_IMAGES.resolve(name);
        if (Files.isDirectory(DOCS_IMAGES) && (!Files.exists(doc) || Boolean.getBoolean("cms.docs.screenshots"))) {
            Files.write(doc, png);
        }
    }

}
