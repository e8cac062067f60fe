// A clerk's day in a real headless Chromium against a running `orderdesk demo`:
// log in → queue → fix a line's product → resolve what blocks → confirm with
// the keyboard → the order shows its timeline → amend it; a clerk cannot open the
// settings; a second reviewer gets the conflict message; hostile mail stays
// text. Screenshots of the main screens go to SCREENSHOT_DIR.
//
// Environment: ORDERDESK_URL, CHROMIUM, SCREENSHOT_DIR, CLERK_PASSWORD,
// SALES_PASSWORD, ADMIN_PASSWORD, DRAFT_ID (a draft in review whose line 2 has
// no product), FIX_SKU (the product to set on it).
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";

// axe-core, run in the page by the driver (not as a page script, which the page's policy forbids).
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
async function accessible(page, what) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations
    .filter((v) => v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`));
  check(violations.length === 0, `${what}: no critical accessibility violations${violations.length ? " — " + violations.join("; ") : ""}`);
}

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const base = env("ORDERDESK_URL").replace(/\/$/, "");
const shots = env("SCREENSHOT_DIR");
mkdirSync(shots, { recursive: true });
const draftId = env("DRAFT_ID");
const fixSku = env("FIX_SKU");

function check(condition, message) {
  if (!condition) throw new Error(message);
  console.log(`ok - ${message}`);
}

const browser = await chromium.launch({
  executablePath: env("CHROMIUM"),
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});

// Saves a value on the review screen and waits until the draft's new version is shown in place.
async function savedInPlace(page, action) {
  const version = (await page.textContent("#draft-version")).trim();
  const url = page.url();
  await action();
  await page.waitForFunction((v) => { const e = document.querySelector("#draft-version"); return e && e.textContent.trim() !== v; }, version, { timeout: 20000 });
  check(page.url() === url, "the value is saved in place, without leaving the page");
}

async function session(username, password) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.on("dialog", (d) => { throw new Error(`a script ran in the page: dialog "${d.message()}"`); });
  await page.goto(`${base}/queue`);
  check(page.url().includes("/login?next=%2Fqueue"), `${username}: the queue asks for a login first`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  if (username === "clerk") await page.screenshot({ path: `${shots}/login.png` });
  await Promise.all([page.waitForNavigation(), page.click("form button[type=submit]")]);
  if (!page.url().endsWith("/queue")) console.log(`${username}: landed on ${page.url()}: ${(await page.textContent("body")).slice(0, 400)}`);
  check(page.url().endsWith("/queue"), `${username}: after logging in the queue opens`);
  return page;
}

try {
  const clerk = await session("clerk", env("CLERK_PASSWORD"));

  // The queue, soonest due first, with why each draft is there.
  await clerk.screenshot({ path: `${shots}/queue.png`, fullPage: false });
  const link = clerk.locator(`a[href="/drafts/${draftId}"]`);
  check(await link.count() === 1, `the queue lists draft ${draftId}`);
  await Promise.all([clerk.waitForNavigation(), link.click()]);

  // The review screen: original beside the draft, open points on top.
  check(await clerk.locator("#original .tb").count() > 0, "the original mail is shown beside the draft");
  check(await clerk.locator("#confirm").isDisabled(), "confirm is disabled while a line has no product");
  // Focusing a value highlights where it was read in the original.
  await clerk.focus("#field-po_number");
  check(await clerk.locator(".tb.hl").count() === 1, "the PO number's source is highlighted in the original");
  await clerk.screenshot({ path: `${shots}/review.png`, fullPage: true });

  // Every documented key, typed in command mode, changes no value: keys move
  // and open; what is typed into a field and left with Esc is undone.
  const values = () => clerk.evaluate(() => Array.from(document.querySelectorAll("input.field, input[name=value]")).map((i) => i.value).join("|"));
  const [version0, values0, url0] = [(await clerk.textContent("#draft-version")).trim(), await values(), clerk.url()];
  await clerk.evaluate(() => document.activeElement && document.activeElement.blur());
  await clerk.keyboard.press("j");
  check(await clerk.locator("tr.line.cursor").count() === 1, "j puts the cursor on a line, focusing no field");
  check(await clerk.evaluate(() => !document.activeElement.matches("input, textarea, select")), "j leaves every field alone");
  for (const key of ["j", "k", "j", "a", "Escape", "k", "?"]) await clerk.keyboard.press(key);
  check(await clerk.locator("#keys-help").isVisible(), "? shows the list of keys");
  for (const key of ["Escape", "r", "x", "Escape", "j", "Enter", "x", "y", "Escape", "a", "j", "Enter", "k", "Escape"]) await clerk.keyboard.press(key);
  check(!(await clerk.locator("#keys-help").isVisible()), "Esc hides the list of keys");
  check(clerk.url() === url0, "no key submitted anything");
  check((await clerk.textContent("#draft-version")).trim() === version0, "no key changed the draft");
  check((await values()) === values0, "every value is as it was after every documented key");

  // Fix line 2's product with the picker: typed in part, chosen from what the server offers, saved with Enter.
  const sku = clerk.locator('tr.line[data-line="2"] input.sku');
  await sku.fill("");
  await sku.pressSequentially(fixSku.slice(0, fixSku.length - 2), { delay: 20 });
  const offered = clerk.locator(`tr.line[data-line="2"] .pick-option[data-sku="${fixSku}"]`);
  await offered.waitFor({ state: "visible", timeout: 20000 });
  const facts = await clerk.locator('tr.line[data-line="2"] .pick-option').first().textContent();
  check(/\d/.test(facts) && facts.includes("in stock"), `the picker shows price and stock (${facts.trim()})`);
  for (let i = 0; i < 8; i++) {
    await sku.press("ArrowDown");
    if (await offered.evaluate((o) => o.classList.contains("active"))) break;
  }
  await sku.press("Enter");
  check((await sku.inputValue()) === fixSku, "Enter takes the chosen product into the field, saving nothing yet");
  await savedInPlace(clerk, () => sku.press("Enter"));
  check((await clerk.locator('tr.line[data-line="2"] input.sku').inputValue()) === fixSku, "line 2 now has the product");
  check(await clerk.locator('tr.line[data-line="2"] td.flash').count() === 1, "the saved value flashes");

  // A wrong product on line 1 is undone: the line has its product back.
  const line1 = clerk.locator('tr.line[data-line="1"] input.sku');
  const rightSku = await line1.inputValue();
  await line1.fill(fixSku);
  await savedInPlace(clerk, () => line1.press("Enter"));
  check((await clerk.locator('tr.line[data-line="1"] input.sku').inputValue()) === fixSku, "line 1 got the wrong product");
  await Promise.all([clerk.waitForNavigation(), clerk.click("#undo")]);
  check((await clerk.locator('tr.line[data-line="1"] input.sku').inputValue()) === rightSku, `undo gave line 1 its product back (${rightSku})`);

  // Freight as a free-text line with its own price.
  const linesBefore = await clerk.locator("tr.line").count();
  await clerk.fill("#add-line input[name=description]", "Fracht pauschal");
  await clerk.fill("#add-line input[name=quantity]", "1");
  await clerk.fill("#add-line input[name=unit_price]", "25.00");
  await Promise.all([clerk.waitForNavigation(), clerk.click("#add-line button[type=submit]")]);
  check(await clerk.locator("tr.line").count() === linesBefore + 1, "the freight line is added");
  check((await clerk.locator("tr.line").last().textContent()).includes("free text"), "the freight line is free text");
  await clerk.locator("#lines").scrollIntoViewIfNeeded();
  await clerk.screenshot({ path: `${shots}/review-lines.png` });

  // Line 2's product has no price in the customer's price list: the clerk enters the agreed one.
  const price = clerk.locator('tr.line[data-line="2"] input.price');
  if (!(await price.inputValue()) && !(await price.getAttribute("data-expected"))) {
    check((await clerk.textContent("#open-points")).includes("line 2 has no price"), "a line without any price is an open point");
    await price.fill("0,50");
    await savedInPlace(clerk, () => price.press("Enter"));
    check((await clerk.locator('tr.line[data-line="2"] input.price').inputValue()) === "0.5", "the price is stored with a decimal point");
  }

  // Resolve what still blocks, each with a note.
  for (let i = 0; i < 20; i++) {
    const open = clerk.locator("#exceptions form input[name=value]");
    if (await open.count() === 0) break;
    await open.first().fill("checked with the customer by phone");
    await Promise.all([clerk.waitForNavigation(), open.first().press("Enter")]);
  }
  check(!(await clerk.locator("#confirm").isDisabled()), "confirm is enabled once nothing blocks");

  // Totals follow what is typed before it is saved.
  const before = await clerk.locator("#total").textContent();
  await clerk.locator('tr.line[data-line="1"] input.qty').fill("1000");
  const after = await clerk.locator("#total").textContent();
  check(before !== after, `the total is recomputed while typing (${before} → ${after})`);
  check((await clerk.locator("#head-total").textContent()) === after, "the head's total follows it");
  await clerk.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  const confirmBox = await clerk.locator("#confirm").boundingBox();
  const viewport = clerk.viewportSize();
  check(confirmBox && confirmBox.y >= 0 && confirmBox.y + confirmBox.height <= viewport.height,
    `Confirm stays in view scrolled to the bottom (at y ${confirmBox && Math.round(confirmBox.y)})`);
  await clerk.reload();

  // Confirm with the keyboard.
  await clerk.locator("body").click({ position: { x: 5, y: 5 } });
  await Promise.all([clerk.waitForNavigation(), clerk.keyboard.press("Control+Enter")]);
  // The next draft opens at once, with word of the order just confirmed.
  check(/\/drafts\/\d+\?confirmed=\d+$/.test(clerk.url()), `Ctrl+Enter confirmed and the next draft opened (${clerk.url()})`);
  check(await clerk.locator("#confirmed-notice").count() === 1, "the next draft says which order was confirmed");
  await Promise.all([clerk.waitForNavigation(), clerk.click("#confirmed-notice a")]);
  check(/\/orders\/\d+$/.test(clerk.url()), `the notice opens the confirmed order (${clerk.url()})`);
  const timeline = await clerk.locator("table.timeline").textContent();
  for (const step of ["received", "drafted", "corrected", "confirmed"]) {
    check(timeline.includes(step), `the order's timeline shows "${step}"`);
  }
  // Amend the confirmed order: the customer phoned a new quantity.
  await clerk.fill("form.amend input[name=line_no]", "1");
  await clerk.selectOption("form.amend select[name=field]", "quantity");
  await clerk.fill("form.amend input[name=value]", "150");
  await clerk.selectOption("form.amend select[name=reason]", "customer_change");
  await clerk.fill("form.amend input[name=note]", "phoned by the buyer");
  await Promise.all([clerk.waitForNavigation(), clerk.click("form.amend button[type=submit]")]);
  const amended = await clerk.locator("table.timeline").textContent();
  check(amended.includes("amended") && amended.includes("customer's change"), "the amendment and its reason are in the timeline");
  check((await clerk.locator("#order-lines tbody tr").first().textContent()).includes("150"), "line 1 now orders 150");
  await clerk.screenshot({ path: `${shots}/order.png`, fullPage: true });

  // A clerk cannot open the settings.
  check(await clerk.locator('nav a[href="/settings"]').count() === 0, "a clerk sees no settings link");
  const refused = await clerk.goto(`${base}/settings`);
  check(refused.status() === 403, "a clerk opening /settings gets 403");
  check((await clerk.textContent("#error-message")).includes("may not"), "and is told why");

  // Two reviewers on one draft: the second gets the conflict message.
  await clerk.goto(`${base}/queue`);
  const other = await clerk.locator("#queue a[href^='/drafts/']").first().getAttribute("href");
  const sales = await session("sales", env("SALES_PASSWORD"));
  await clerk.goto(`${base}${other}`);
  await sales.goto(`${base}${other}`);
  await Promise.all([clerk.waitForNavigation(), clerk.click("text=Assign to me")]);
  check((await clerk.textContent(".review-head")).includes("assigned to clerk"), "the clerk took the draft");
  await Promise.all([sales.waitForNavigation(), sales.click("text=Assign to me")]);
  check((await sales.title()).includes("Changed by someone else"), "the second reviewer is told the draft changed");
  check((await sales.textContent("#error-message")).includes("reload it"), "with what to do about it");
  await sales.screenshot({ path: `${shots}/conflict.png` });

  // The inbox shows hostile mail as text, and no script runs.
  await clerk.goto(`${base}/inbox`);
  check((await clerk.textContent("#inbox")).includes("<script>alert('order')</script>"), "a hostile subject is shown as text");
  await clerk.screenshot({ path: `${shots}/inbox.png` });

  // An administrator's settings.
  const admin = await session("admin", env("ADMIN_PASSWORD"));
  await admin.goto(`${base}/settings`);
  check(await admin.locator("#users tr").count() >= 5, "the administrator sees the users");
  check((await admin.textContent("body")).includes(base.replace("http://", "")), "the settings page says where the server really listens");
  await admin.screenshot({ path: `${shots}/settings.png`, fullPage: true });
  // The letterhead and confirmations, as an administrator sees them in the window.
  await admin.setViewportSize({ width: 1280, height: 800 });
  await admin.locator("#letter").scrollIntoViewIfNeeded();
  await admin.evaluate(() => document.getElementById("letter").scrollIntoView());
  check((await admin.locator("#letter-form input[name=number_prefix]").inputValue()) === "AB-", "the order number prefix is AB- as shipped");
  await admin.screenshot({ path: `${shots}/settings-letter.png` });

  // The home page: the KPIs over the orders confirmed above.
  await admin.goto(`${base}/`);
  check((await admin.textContent("#kpis")).includes("Straight-through rate"), "the home page shows the KPIs");
  check((await admin.locator("#kpi-trend tbody tr").count()) === 30, "the home page keeps 30 days of numbers");
  check((await admin.locator("svg.chart[role=img]").count()) === 4, "the home page draws four trend charts");
  check((await admin.locator("svg#chart-orders rect").count()) >= 1, "today's confirmed orders are a bar");
  check((await admin.textContent("#by-clerk")).includes("clerk"), "the breakdown by clerk names the clerk who confirmed");
  check((await admin.textContent("#sla")).includes("in the review queue"), "the service levels show the queue");
  await admin.setViewportSize({ width: 1280, height: 800 });
  await admin.screenshot({ path: `${shots}/home.png`, fullPage: true });
  // A chosen range: the breakdowns follow it; a range that ends before it starts is refused in words.
  await admin.goto(`${base}/?from=2026-01-01&to=2025-12-01`);
  check((await admin.textContent("#range-error")).includes("ends"), "a backwards range is explained");
  // A PDF order: its pages as they look beside the draft, the focused value boxed on the page.
  await clerk.setViewportSize({ width: 1280, height: 800 });
  await clerk.goto(`${base}/drafts/${env("PDF_DRAFT_ID")}`);
  const pageImg = clerk.locator("figure.page img").first();
  await pageImg.scrollIntoViewIfNeeded();
  await clerk.waitForFunction(() => { const i = document.querySelector("figure.page img"); return i && i.complete && i.naturalWidth > 0; });
  check(await clerk.locator("figure.page").count() >= 1, "the PDF's pages are shown as images");
  const withSource = clerk.locator("input.field[data-start]:not([data-start='-1'])").first();
  await withSource.focus();
  await clerk.waitForTimeout(100);
  check(await clerk.locator("figure.page .box:not([hidden])").count() === 1, "the focused value is boxed on the page it was read from");
  await clerk.screenshot({ path: `${shots}/review-pdf.png` });
  await clerk.evaluate(() => document.activeElement && document.activeElement.blur());

  // A CSV order: the file as a grid, the focused line's row lit in it.
  await clerk.goto(`${base}/drafts/${env("CSV_DRAFT_ID")}`);
  check(await clerk.locator("table.sheet").count() >= 1, "the CSV file is shown as a grid");
  await clerk.locator("#lines tr.line").first().locator("input.qty").focus();
  await clerk.waitForTimeout(100);
  check(await clerk.locator("table.sheet tr.hl").count() === 1, "the focused line's row is lit in the grid");
  await clerk.screenshot({ path: `${shots}/review-sheet.png` });
  await clerk.evaluate(() => document.activeElement && document.activeElement.blur());

  // Quotes: the demo's RFQs quoted in every state; a clerk works one beside its RFQ.
  await clerk.setViewportSize({ width: 1280, height: 800 });
  await clerk.goto(`${base}/quotes?show=all`);
  const statuses = await clerk.locator("#quotes tbody .badge").allTextContents();
  for (const s of ["draft", "awaiting approval", "sent", "accepted", "expired"]) {
    check(statuses.includes(s), `the quote list has a quote that is ${s}`);
  }
  await clerk.screenshot({ path: `${shots}/quotes.png` });
  await clerk.goto(`${base}/quotes?show=open`);
  const open = clerk.locator("#quotes tbody tr:has(.badge.draft) a[href^='/quotes/']").first();
  await Promise.all([clerk.waitForNavigation(), open.click()]);
  const quotePath = new URL(clerk.url()).pathname;
  check(await clerk.locator("#original .tb").count() > 0, "the RFQ is shown beside the quote");
  check(await clerk.locator("details.explain").count() > 0, "each price says how it was made");
  await clerk.fill("#add-line input[name=description]", "Sonderanfertigung laut Zeichnung 4711");
  await clerk.fill("#add-line input[name=quantity]", "5");
  await clerk.fill("#add-line input[name=price]", "148,50");
  await Promise.all([clerk.waitForNavigation(), clerk.click("#add-line button[type=submit]")]);
  check((await clerk.textContent("#quote-lines")).includes("Sonderanfertigung laut Zeichnung 4711"), "a special make is added as a free-text line");
  check((await clerk.textContent("#quote-lines")).includes("742.50"), "the free-text line has its amount");
  // Totals follow what is typed before it is saved.
  const quoteBefore = (await clerk.textContent("#total")).trim();
  await clerk.locator("#quote-lines tr.line").first().locator("input.qty").fill("9999");
  check((await clerk.textContent("#total")).trim() !== quoteBefore, `the quote total follows the typing (${quoteBefore} → ${(await clerk.textContent("#total")).trim()})`);
  await clerk.reload();
  check(await clerk.locator("#quote-margin").count() === 0, "a clerk sees no margin");
  await clerk.evaluate(() => window.scrollTo(0, 0));
  await clerk.screenshot({ path: `${shots}/quote.png` });

  // The approval inbox: an administrator approves with a reason.
  await admin.goto(`${base}/quotes?show=approval`);
  const waiting = admin.locator("#quotes tbody a[href^='/quotes/']").first();
  check(await waiting.count() === 1, "a quote waits for approval");
  await Promise.all([admin.waitForNavigation(), waiting.click()]);
  check(await admin.locator("#approval li").count() > 0, "the approval notice says why");
  check(await admin.locator("#quote-margin").count() === 1, "a manager sees the margin");
  await admin.screenshot({ path: `${shots}/quote-approval.png` });
  await admin.fill("input[name=note][aria-label='Reason for approval']", "Rahmenvertrag, Menge rechtfertigt den Preis");
  await Promise.all([admin.waitForNavigation(), admin.click("#approve")]);
  check((await admin.textContent("#quote-status")).includes("approved"), "the quote is approved");
  if (process.env.SEND_QUOTES) {
    // Sent, accepted by the customer, and made an order at the quoted prices.
    await Promise.all([admin.waitForNavigation(), admin.click("#send-quote")]);
    check((await admin.textContent("#quote-status")).includes("sent"), "the approved quote is sent");
    const total = (await admin.textContent("#quote-total")).trim();
    await Promise.all([admin.waitForNavigation(), admin.click("#accept")]);
    check((await admin.textContent("#quote-status")).includes("accepted"), "the customer's acceptance is recorded");
    await admin.fill("input[name=po_number]", "4500088123");
    await Promise.all([admin.waitForNavigation(), admin.click("#make-order")]);
    check(/\/orders\/\d+$/.test(admin.url()), "the accepted quote becomes an order");
    check(await admin.locator("#order-quote").count() === 1, "the order links its quote");
    check((await admin.textContent("body")).includes("4500088123"), "the order carries the customer's PO number");
    const amount = (text) => parseFloat(text.replace(/[^0-9.\-]/g, ""));
    const orderTotal = amount(await admin.textContent("#order-total"));
    check(Math.abs(orderTotal - amount(total)) < 0.005, `the order keeps the quoted total ${total}`);
    await admin.screenshot({ path: `${shots}/quote-order.png` });
  }
  // The order is found by the customer's name, typed in part.
  await admin.goto(`${base}/orders`);
  const nameWord = env("CUSTOMER_NAME").split(/\s+/).find((w) => w.length > 3).toLowerCase();
  await admin.fill("form.order-search input[name=q]", nameWord);
  await Promise.all([admin.waitForNavigation(), admin.press("form.order-search input[name=q]", "Enter")]);
  check((await admin.textContent("#orders")).includes("4500077001"), `the order is found by the customer's name ("${nameWord}")`);
  await admin.fill("form.order-search input[name=q]", "4500077001");
  await Promise.all([admin.waitForNavigation(), admin.press("form.order-search input[name=q]", "Enter")]);
  check(await admin.locator("#orders tbody tr").count() === 1, "and by its PO number, alone");

  // The customer changes the order confirmed above: the change names its order and is applied to it.
  const changeId = await admin.evaluate(async (mail) => {
    const csrf = document.querySelector("input[name=csrf]").value;
    const r = await fetch("/api/messages?name=change.eml", { method: "POST", body: mail, headers: { "X-CSRF-Token": csrf } });
    return (await r.json()).id;
  }, env("CHANGE_MAIL"));
  let changeDraft = null;
  for (let i = 0; i < 300 && !changeDraft; i++) {
    changeDraft = await admin.evaluate(async (id) => (await (await fetch(`/api/messages/${id}`)).json()).draft_id, changeId);
    if (!changeDraft) await admin.waitForTimeout(200);
  }
  check(changeDraft, "the change is drafted");
  await admin.goto(`${base}/drafts/${changeDraft}`);
  check(await admin.locator("#referred-order a[href^='/orders/']").count() === 1, "the change names the order it changes");
  check((await admin.textContent("#referred-order")).includes("175"), "it says what applying does");
  await admin.screenshot({ path: `${shots}/review-change.png` });
  await Promise.all([admin.waitForNavigation(), admin.click("#apply-to-order")]);
  check(/\/orders\/\d+$/.test(admin.url()), `applying opens the order (${admin.url()})`);
  check((await admin.textContent("#order-lines")).includes("175"), "the order has the changed quantity");
  check((await admin.textContent("table.timeline")).includes("amended"), "the order's timeline shows the amendment");

  // German: the clerk switches the screens to German; every main screen speaks it,
  // dates and numbers as a German desk writes them, and a price typed with a comma is read as one.
  await clerk.setViewportSize({ width: 1280, height: 800 });
  await clerk.goto(`${base}/queue`);
  await Promise.all([clerk.waitForNavigation(), clerk.click("form.language button[value=de]")]);
  check(await clerk.getAttribute("html", "lang") === "de", "the screens are German after the switch");
  check((await clerk.textContent("header nav")).includes("Prüfliste"), "the navigation is German");
  await clerk.screenshot({ path: `${shots}/queue-de.png` });
  const english = ["Review queue", "Before confirming", "Confirm order", "Other actions", "Their code / description", "Unit price", "Keyboard shortcuts", "open points", "Exceptions"];
  await clerk.goto(`${base}/drafts/${env("PDF_DRAFT_ID")}`);
  // The page's own words: the original document and its history are the customer's and the clerks' words.
  const reviewText = await clerk.evaluate(() => {
    const main = document.querySelector("main").cloneNode(true);
    main.querySelectorAll("#original, .timeline").forEach((n) => n.remove());
    return main.textContent;
  });
  for (const word of english) check(!reviewText.includes(word), `the German review screen has no English "${word}"`);
  check(reviewText.includes("Positionen") && reviewText.includes("Einzelpreis"), "the review screen's labels are German");
  check(!/\b(price_mismatch|unknown_product|pack_size)\b/.test(reviewText), "exceptions are in plain words, not codes");
  const firstLine = clerk.locator("#lines tr.line").first();
  await firstLine.locator("input.price").fill("12,5");
  await savedInPlace(clerk, () => firstLine.locator("input.price").press("Enter"));
  check(await clerk.locator("#lines tr.line").first().locator("input.price").inputValue() === "12,5", "a price typed with a decimal comma is saved as 12,5");
  check(/\d,\d\d$/.test((await clerk.textContent("#total")).trim()), `the total is written with a decimal comma (${(await clerk.textContent("#total")).trim()})`);
  // At 1280×800 the original is beside the draft and eight lines fit below the header without scrolling.
  await clerk.evaluate(() => window.scrollTo(0, 0));
  const fit = await clerk.evaluate(() => {
    const rows = Array.from(document.querySelectorAll("#lines tr.line")).map((r) => r.getBoundingClientRect());
    const original = document.querySelector("#original").getBoundingClientRect();
    const pane = document.querySelector(".draft-pane").getBoundingClientRect();
    const tallest = Math.max(...rows.map((r) => r.height));
    return { top: rows[0].top, tallest, beside: original.right <= pane.left && original.top < window.innerHeight / 2, height: window.innerHeight };
  });
  check(fit.beside, "the original is beside the draft");
  check(fit.top + 8 * fit.tallest <= fit.height, `eight lines fit in the window (first at ${Math.round(fit.top)} px, ${Math.round(fit.tallest)} px each, window ${fit.height} px)`);
  await accessible(clerk, "review-de");
  await clerk.evaluate(() => window.scrollTo(0, 0));
  await clerk.screenshot({ path: `${shots}/review-de.png` });
  for (const [name, path] of [["inbox-de", "/inbox"], ["orders-de", "/orders"], ["quotes-de", "/quotes?show=all"], ["home-de", "/"],
    ["customers-de", "/customers"], ["products-de", "/products"]]) {
    await clerk.goto(`${base}${path}`);
    check(await clerk.getAttribute("html", "lang") === "de", `${name} is German`);
    await clerk.screenshot({ path: `${shots}/${name}.png` });
  }
  // An order and a customer in German.
  await clerk.goto(`${base}/orders`);
  await Promise.all([clerk.waitForNavigation(), clerk.locator("#orders a[href^='/orders/']").first().click()]);
  await clerk.screenshot({ path: `${shots}/order-de.png`, fullPage: true });
  await clerk.goto(`${base}/customers/10001`);
  await clerk.screenshot({ path: `${shots}/customer-de.png`, fullPage: true });
  // The dashboard in German: its figures too, not only its labels.
  await clerk.goto(`${base}/`);
  const kpiText = await clerk.textContent("#kpis");
  for (const word of [" quoted ", " of ", "unanswered"]) {
    check(!kpiText.includes(word), `the German KPIs have no English "${word.trim()}"`);
  }
  check(/\d+,\d %/.test(kpiText), "the German KPIs write shares with a decimal comma");
  const homeText = await clerk.textContent("main");
  for (const word of ["under 1 h", "over 24 h", "the last 30 days"]) {
    check(!homeText.includes(word), `the German dashboard has no English "${word}"`);
  }
  // A quote in German: how each price was made, what keeps it from going out.
  await clerk.goto(`${base}${quotePath}`);
  const quoteText = await clerk.textContent("main");
  check(/Listenpreis|Preisliste|Kundenpreis/.test(quoteText), "the German quote explains its prices in German");
  for (const word of ["list price", "price list", "customer price", "has no product", "has no price"]) {
    check(!quoteText.includes(word), `the German quote page has no English "${word}"`);
  }
  await clerk.evaluate(() => window.scrollTo(0, 0));
  await clerk.screenshot({ path: `${shots}/quote-de.png` });
  // A message in German: why it is of its kind, and each reader's note.
  await clerk.goto(`${base}/inbox`);
  const firstMessage = clerk.locator("#inbox a[href^='/messages/']").first();
  await Promise.all([clerk.waitForNavigation(), firstMessage.click()]);
  const messageText = await clerk.textContent("main");
  check(!/\((wording|set by|a table of items)/.test(messageText), "the German message page says why it is of its kind in German");
  await clerk.screenshot({ path: `${shots}/message-de.png` });
  await clerk.goto(`${base}/inbox`);
  check(/\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}/.test(await clerk.textContent("#inbox")), "the inbox writes times as 29.11.2026 14:05");
  await Promise.all([clerk.waitForNavigation(), clerk.click("form.language button[value=en]")]);
  check(await clerk.getAttribute("html", "lang") === "en", "the screens are English again after switching back");

  // The settings in German, for an administrator who chose it.
  await admin.setViewportSize({ width: 1280, height: 800 });
  await admin.goto(`${base}/settings`);
  await Promise.all([admin.waitForNavigation(), admin.click("form.language button[value=de]")]);
  await admin.goto(`${base}/settings`);
  const settingsText = await admin.textContent("main");
  for (const word of ["confirmed orders wait in the outbox", "signed webhook to", "file drop into", "Tryton at", "folder INBOX"]) {
    check(!settingsText.includes(word), `the German settings page has no English "${word}"`);
  }
  await admin.screenshot({ path: `${shots}/settings-de.png`, fullPage: true });
  await admin.locator("#erp").first().scrollIntoViewIfNeeded();
  await admin.evaluate(() => document.querySelector("#erp").scrollIntoView());
  await admin.screenshot({ path: `${shots}/settings-erp-de.png` });
  await Promise.all([admin.waitForNavigation(), admin.click("form.language button[value=en]")]);

  // Accessibility basics of the main screens, and each at 1920×1080.
  await admin.setViewportSize({ width: 1920, height: 1080 });
  for (const [name, path] of [["queue", "/queue"], ["inbox", "/inbox"], ["orders", "/orders"], ["quotes", "/quotes?show=all"],
    ["home", "/"], ["settings", "/settings"], ["review", `/drafts/${env("PDF_DRAFT_ID")}`]]) {
    await admin.goto(`${base}${path}`);
    await accessible(admin, name);
    await admin.screenshot({ path: `${shots}/${name}-1920.png` });
  }
  console.log("browser: all checks passed");
} finally {
  await browser.close();
}
