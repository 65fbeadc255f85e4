// status.js — the citizens' status page: number and code from the receipt
// (or from its QR code, #number=…&code=… in the address) → GET
// /api/public/status → the status in plain words.  No session, no cookie,
// nothing kept in the browser.
const T = {
  uk: {
    brand: "Мобільний ЦНАП", title: "Статус заяви",
    hint: "Введіть номер заяви та код для перевірки статусу з розписки.",
    number: "Номер заяви", code: "Код для перевірки статусу", go: "Перевірити",
    other: "English", wait: "Перевіряємо…", applicant: "Заявник",
    updated: "Остання зміна", services: "Послуги", status: "Статус",
    missing: "Введіть номер заяви і код з розписки.",
    not_found: "Заяву з таким номером і кодом не знайдено. Перевірте номер і код на розписці.",
    rate_limited: "Забагато спроб. Спробуйте знову за {s} с.",
    failed: "Не вдалося перевірити статус. Спробуйте пізніше.",
  },
  en: {
    brand: "Mobile CNAP", title: "Application status",
    hint: "Enter the application number and the status code from your receipt.",
    number: "Application number", code: "Status code", go: "Check",
    other: "Українська", wait: "Checking…", applicant: "Applicant",
    updated: "Last change", services: "Services", status: "Status",
    missing: "Enter the application number and the code from the receipt.",
    not_found: "No application with this number and code. Check both on the receipt.",
    rate_limited: "Too many attempts. Try again in {s} s.",
    failed: "The status could not be checked. Please try later.",
  },
};
let lang = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "uk";
const $ = (id) => document.getElementById(id);
const t = (k) => T[lang][k];

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function render() {
  document.documentElement.lang = lang;
  document.title = t("title") + " — " + t("brand");
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = t(e.dataset.t);
  $("lang").textContent = t("other");
}

function show(nodes) {
  $("result").replaceChildren(...nodes);
}

function showCase(c) {
  const card = el("div", undefined, "card");
  card.id = "case";
  card.append(el("h2", c.status_text));
  const p = el("p");
  p.append(el("span", t("number") + ": "), el("b", c.number));
  card.append(p);
  if (c.applicant) card.append(el("p", t("applicant") + ": " + c.applicant));
  card.append(el("p", t("updated") + ": " + c.updated, "muted"));
  card.append(el("h3", t("services")));
  const ul = el("ul");
  for (const s of c.services) {
    const li = el("li");
    li.append(el("span", s.title + " — "), el("b", s.status_text));
    ul.append(li);
  }
  card.append(ul);
  show([card]);
}

async function lookup() {
  const number = $("number").value.trim(), code = $("code").value.trim();
  if (!number || !code) return show([el("p", t("missing"), "error")]);
  show([el("p", t("wait"))]);
  $("go").disabled = true;
  try {
    const q = new URLSearchParams({ number, code });
    if (lang === "en") q.set("lang", "en");
    const r = await fetch("/api/public/status?" + q, { credentials: "omit", cache: "no-store" });
    if (r.ok) return showCase(await r.json());
    if (r.status === 429) {
      const s = r.headers.get("Retry-After") || "60";
      return show([el("p", t("rate_limited").replace("{s}", s), "error")]);
    }
    show([el("p", r.status === 404 ? t("not_found") : t("failed"), "error")]);
  } catch {
    show([el("p", t("failed"), "error")]);
  } finally {
    $("go").disabled = false;
  }
}

$("form").addEventListener("submit", (ev) => { ev.preventDefault(); lookup(); });
$("lang").addEventListener("click", () => {
  lang = lang === "uk" ? "en" : "uk";
  render();
  if ($("case")) lookup();
});
render();
// the receipt's QR code: /status#number=…&code=… (the fragment never reaches a server log)
const h = new URLSearchParams(location.hash.slice(1));
if (h.get("number") && h.get("code")) {
  $("number").value = h.get("number");
  $("code").value = h.get("code");
  history.replaceState(null, "", location.pathname + location.search);
  lookup();
}
