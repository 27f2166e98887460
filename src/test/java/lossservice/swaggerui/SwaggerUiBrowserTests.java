package lossservice.swaggerui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Swagger UI in a real headless Chromium: expand POST /v1/losses/cross-entropy, Try it out, Execute the shipped
 * seed example, and read the 200 and its loss from the response panel. It drives Debian's {@code chromium}
 * through Debian's {@code chromedriver}, both given by path so that Selenium never looks for or downloads a
 * browser; a missing one is a failure ({@code .ci/run} installs both). {@code -Dchromium.binary=...} and
 * {@code -Dchromedriver.binary=...} point elsewhere.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SwaggerUiBrowserTests {

    private static final Path CHROMIUM = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER =
            Path.of(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver"));
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** The oracle's loss for the seed example (src/test/resources/oracle/cases.json, seed_example_N2_C10_t2_5_eps0.1). */
    private static final double SEED_LOSS = 3.6503466225079992;
    /** Swagger UI's element id for an operation: operations-{tag}-{operationId}. */
    private static final String OPERATION_ID = "operations-losses-crossEntropy";

    @LocalServerPort
    int port;

    @TempDir
    Path browserProfile;

    @Test
    void seedExampleExecutedInSwaggerUiAnswers200WithTheLoss() {
        assertThat(Files.isExecutable(CHROMIUM)).as("%s is not installed: apt-get install chromium (.ci/run does)",
                CHROMIUM).isTrue();
        assertThat(Files.isExecutable(CHROMEDRIVER)).as(
                "%s is not installed: apt-get install chromium-driver (.ci/run does)", CHROMEDRIVER).isTrue();

        ChromeDriverService driverService = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver browser = new ChromeDriver(driverService, headlessChromium());
        try {
            browser.get("http://127.0.0.1:" + port + "/swagger-ui.html");
            WebDriverWait wait = new WebDriverWait(browser, PATIENCE);

            WebElement operation = wait.until(ExpectedConditions.presenceOfElementLocated(By.id(OPERATION_ID)));
            operation.findElement(By.cssSelector(".opblock-summary-control")).click();
            clickTryItOut(wait, operation);

            Select examples = new Select(wait.until(ExpectedConditions.visibilityOfNestedElementsLocatedBy(
                    operation, By.cssSelector(".opblock-section-request-body select.examples-select-element"))).get(0));
            examples.selectByValue("seed");
            WebElement body = operation.findElement(By.cssSelector("textarea.body-param__text"));
            assertThat(body.getDomProperty("value")).as("the request body in the editor")
                    .contains("0.29657506942749023", "\"targets\"");

            operation.findElement(By.cssSelector("button.execute")).click();
            WebElement response = waitForLiveResponse(wait, operation, browser);

            String status = response.findElement(By.cssSelector(".response-col_status")).getText().trim();
            String responseBody = response.findElement(By.cssSelector(".response-col_description pre")).getText();
            assertThat(status).as("status in the response panel; body: %s", responseBody).isEqualTo("200");
            assertThat(responseBody).contains("\"loss\"");
            JsonNode answer = JsonMapper.builder().build().readTree(responseBody);
            assertThat(answer.get("loss").doubleValue()).isCloseTo(SEED_LOSS, within(1e-6 + 1e-5 * SEED_LOSS));
            assertThat(answer.get("batchSize").intValue()).isEqualTo(2);
        } finally {
            browser.quit(); // also stops the chromedriver process
        }
    }

    private ChromeOptions headlessChromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // As root in CI: no sandbox, no /dev/shm reliance; and nothing that reaches out to the network.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,2000", "--user-data-dir=" + browserProfile.toAbsolutePath());
        return options;
    }

    /**
     * springdoc.swagger-ui.try-it-out-enabled opens the editor already; otherwise press "Try it out". The button is
     * rendered after the operation opens: waited for, not looked up at once (on a busy machine it was not there yet).
     */
    private static void clickTryItOut(WebDriverWait wait, WebElement operation) {
        WebElement tryOut = wait.until(ExpectedConditions.elementToBeClickable(wait.until(
                ExpectedConditions.presenceOfNestedElementLocatedBy(operation, By.cssSelector("button.try-out__btn")))));
        if (tryOut.getText().contains("Try it out")) {
            tryOut.click();
        }
    }

    private static WebElement waitForLiveResponse(WebDriverWait wait, WebElement operation, ChromeDriver browser) {
        By liveResponse = By.cssSelector(".live-responses-table .response");
        try {
            List<WebElement> responses = wait.until(
                    ExpectedConditions.visibilityOfNestedElementsLocatedBy(operation, liveResponse));
            return responses.get(0);
        } catch (TimeoutException noResponse) {
            String panel = (String) ((JavascriptExecutor) browser)
                    .executeScript("return arguments[0].innerText;", operation);
            throw new AssertionError("No response appeared in the Swagger UI panel after Execute. Panel text:\n" + panel,
                    noResponse);
        }
    }
}
