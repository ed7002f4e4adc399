// Headless Chromium (Debian's, driven by playwright-core) opens a page served from another origin;
// the page queries the gateway with fetch and subscribes with graphql-ws's browser bundle. Prints
// one JSON line per result the page reports: {"fetch": ...} then {"next": ...}; exits 0 when both came.
// Usage: node browser.mjs <page URL> <user-data-dir>
import { chromium } from "playwright-core";

const [pageUrl, userDataDir] = process.argv.slice(2);
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.exposeFunction("report", (line) => console.log(line));
  await page.goto(pageUrl);
  await page.waitForFunction(() => window.done === true, null, { timeout: 60000 });
} finally {
  await context.close();
}
