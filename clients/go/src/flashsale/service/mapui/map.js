// The seat map: draws an event's seats by section and row from their labels, follows
// GET /events/{event}/stream (a snapshot, then changes) and buys a free seat through
// POST /events/{event}/tickets/{ticket}/claim with an idempotency key per click.
// Plain JavaScript, nothing from another host.
"use strict";

(function () {
  const match = location.pathname.match(/\/events\/(\d+)\/map\/?$/);
  const eventId = match ? match[1] : null;
  const $ = (id) => document.getElementById(id);

  // ticket id -> {ticket, label, category, status, holdEnds, section, row, number, el}
  const seats = new Map();
  let order = []; // seat buttons in reading order, for the arrow keys
  let lastId = null; // the stream's position: the id of the last message applied
  const mine = new Set(); // tickets this page bought

  // What the browser test (and a curious reader) can see of the page's state.
  const stats = { snapshots: 0, changeMessages: 0, changes: 0, repeats: 0, reconnects: 0, lastId: null };
  window.seatMap = {
    stats,
    status: (label) => {
      for (const s of seats.values()) if (s.label === label) return shown(s);
      return null;
    },
    counts: () => counts(),
    // Stops following the stream (the page keeps what it shows): for a screenshot of one
    // moment of a sale.
    freeze: () => { if (source) source.close(); frozen = true; },
  };
  let frozen = false;

  // ---- Seat labels: SECTION-ROW-NUMBER, SECTION-NUMBER, anything else -------------
  function place(label) {
    let m = label.match(/^([^-]+)-([^-]+)-([1-9][0-9]*)$/);
    if (m) return { section: m[1], row: m[2], number: Number(m[3]) };
    m = label.match(/^([^-]+)-([1-9][0-9]*)$/);
    if (m) return { section: m[1], row: "", number: Number(m[2]) };
    return { section: "Other seats", row: "", number: null };
  }

  // A hold that ended counts as available, as every claim treats it.
  function shown(s) {
    if (s.status === "h" && s.holdEnds > 0 && s.holdEnds <= Date.now()) return "available";
    return { a: "available", h: "held", s: "sold" }[s.status];
  }

  function counts() {
    const c = { available: 0, held: 0, sold: 0, total: seats.size };
    for (const s of seats.values()) c[shown(s)]++;
    return c;
  }

  function showCounts() {
    const c = counts();
    $("count-available").textContent = c.available;
    $("count-held").textContent = c.held;
    $("count-sold").textContent = c.sold;
    $("count-total").textContent = c.total;
  }

  function paint(s) {
    const status = shown(s);
    const el = s.el;
    el.className = "seat " + status + (mine.has(s.ticket) && status === "sold" ? " yours" : "");
    el.dataset.status = status;
    let what = status;
    if (status === "sold" && mine.has(s.ticket)) what = "yours";
    if (status === "held") what = "held until " + new Date(s.holdEnds).toLocaleTimeString();
    el.setAttribute("aria-label", s.label + ", " + what);
  }

  // ---- Drawing ----------------------------------------------------------------------
  function draw() {
    const map = $("map");
    const sections = new Map(); // name -> Map(row -> [seat])
    const sorted = Array.from(seats.values()).sort((a, b) => a.ticket - b.ticket);
    for (const s of sorted) {
      if (!sections.has(s.section)) sections.set(s.section, new Map());
      const rows = sections.get(s.section);
      if (!rows.has(s.row)) rows.set(s.row, []);
      rows.get(s.row).push(s);
    }
    const fragment = document.createDocumentFragment();
    order = [];
    let n = 0;
    for (const [name, rows] of sections) {
      const section = document.createElement("section");
      section.className = "section";
      const heading = document.createElement("h2");
      heading.id = "section-" + n++;
      heading.textContent = name === "Other seats" ? name : "Section " + name;
      section.setAttribute("aria-labelledby", heading.id);
      section.appendChild(heading);
      const holder = document.createElement("div");
      holder.className = "rows";
      for (const [rowName, rowSeats] of rows) {
        rowSeats.sort((a, b) => (a.number ?? 0) - (b.number ?? 0) || a.ticket - b.ticket);
        const row = document.createElement("div");
        row.className = "row";
        row.setAttribute("role", "group");
        row.setAttribute("aria-label", rowName ? "Row " + rowName : heading.textContent);
        const label = document.createElement("span");
        label.className = "row-label";
        label.setAttribute("aria-hidden", "true");
        label.textContent = rowName;
        row.appendChild(label);
        for (const s of rowSeats) {
          const button = document.createElement("button");
          button.type = "button";
          button.tabIndex = -1;
          button.dataset.ticket = s.ticket;
          button.dataset.seat = s.label;
          const number = document.createElement("span");
          number.className = "n";
          number.textContent = s.number ?? "•";
          button.appendChild(number);
          s.el = button;
          s.line = row;
          paint(s);
          order.push(button);
          row.appendChild(button);
        }
        holder.appendChild(row);
      }
      section.appendChild(holder);
      fragment.appendChild(section);
    }
    map.replaceChildren(fragment);
    if (order.length) order[0].tabIndex = 0;
  }

  // ---- Keyboard: one tab stop, arrows within the map ---------------------------------
  function focusSeat(button) {
    if (!button) return;
    for (const b of order) if (b.tabIndex === 0) b.tabIndex = -1;
    button.tabIndex = 0;
    button.focus();
  }

  function seatOf(button) {
    return seats.get(Number(button.dataset.ticket));
  }

  $("map").addEventListener("keydown", (e) => {
    const current = e.target.closest("button.seat");
    if (!current) return;
    const row = Array.from(current.parentElement.querySelectorAll("button.seat"));
    const at = row.indexOf(current);
    const rows = Array.from($("map").querySelectorAll(".row"));
    const rowAt = rows.indexOf(current.parentElement);
    const sections = Array.from($("map").querySelectorAll(".section"));
    const sectionAt = sections.indexOf(current.closest(".section"));
    const nearIn = (target) => {
      if (!target) return null;
      const others = target.querySelectorAll("button.seat");
      return others[Math.min(at, others.length - 1)];
    };
    let next = null;
    switch (e.key) {
      case "ArrowRight": next = row[at + 1]; break;
      case "ArrowLeft": next = row[at - 1]; break;
      case "ArrowDown": next = nearIn(rows[rowAt + 1]); break;
      case "ArrowUp": next = nearIn(rows[rowAt - 1]); break;
      case "Home": next = row[0]; break;
      case "End": next = row[row.length - 1]; break;
      case "PageDown": next = sections[sectionAt + 1]?.querySelector("button.seat"); break;
      case "PageUp": next = sections[sectionAt - 1]?.querySelector("button.seat"); break;
      default: return;
    }
    e.preventDefault();
    focusSeat(next);
  });

  // ---- Buying -------------------------------------------------------------------------
  const buyer = $("buyer");
  buyer.value = localStorage.getItem("seatmap.buyer") || "web-" + randomHex(4);
  buyer.addEventListener("change", () => localStorage.setItem("seatmap.buyer", buyer.value.trim()));
  $("buyer-form").addEventListener("submit", (e) => e.preventDefault());

  function randomHex(bytes) {
    const a = new Uint8Array(bytes);
    crypto.getRandomValues(a);
    return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function newKey() {
    return crypto.randomUUID ? crypto.randomUUID() : randomHex(16);
  }

  function say(text, tone) {
    const m = $("message");
    m.textContent = text;
    m.className = "message" + (tone ? " " + tone : "");
  }

  const answers = {
    claimed: (s) => ["You bought " + s.label + ".", "good"],
    already_owned: (s) => [s.label + " is already yours.", "good"],
    already_sold: (s) => [s.label + " was just sold to someone else. Choose a green seat.", "bad"],
    held: (s) => [s.label + " is held by another buyer. Choose a green seat.", "bad"],
    busy: (s) => [s.label + " is being bought by someone else right now: try again in a moment.", "bad"],
    limit_reached: () => ["You have reached this event's limit of tickets per buyer.", "bad"],
    not_found: (s) => [s.label + " is no longer on sale.", "bad"],
  };

  $("map").addEventListener("click", async (e) => {
    const button = e.target.closest("button.seat");
    if (!button) return;
    focusSeat(button);
    const s = seatOf(button);
    const status = shown(s);
    if (status === "sold") {
      say(mine.has(s.ticket) ? s.label + " is yours." :
        s.label + " is already sold. Choose a green seat.", mine.has(s.ticket) ? "good" : "bad");
      return;
    }
    if (status === "held") {
      say(s.label + " is held by another buyer until " +
        new Date(s.holdEnds).toLocaleTimeString() + ". Choose a green seat.", "bad");
      return;
    }
    const customer = buyer.value.trim();
    if (!customer) {
      say("Enter a name to buy as first.", "bad");
      buyer.focus();
      return;
    }
    if (button.classList.contains("pending")) return;
    button.classList.add("pending");
    button.setAttribute("aria-busy", "true");
    say("Buying " + s.label + "…");
    // One key per click: a retry of this click (after a lost answer) cannot buy twice.
    const key = newKey();
    try {
      const answer = await claim(s.ticket, customer, key);
      const outcome = answer.body && answer.body.outcome;
      if (outcome === "claimed" || outcome === "already_owned") {
        mine.add(s.ticket);
        if (s.status !== "s") s.status = "s";
        paint(s);
        showCounts();
      }
      const text = answers[outcome] ? answers[outcome](s) :
        [s.label + ": " + ((answer.body && (answer.body.message || outcome)) || "HTTP " + answer.status), "bad"];
      say(text[0], text[1]);
    } catch (err) {
      say("Could not reach the box office (" + err.message + "). Nothing was bought twice; try again.", "bad");
    } finally {
      button.classList.remove("pending");
      button.removeAttribute("aria-busy");
    }
  });

  async function claim(ticket, customer, key) {
    const request = () => fetch("/events/" + eventId + "/tickets/" + ticket + "/claim", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key },
      body: JSON.stringify({ customer }),
    });
    let response;
    try {
      response = await request();
    } catch (err) {
      response = await request(); // the same key: the first answer if it had committed
    }
    let body = null;
    try { body = await response.json(); } catch (err) { body = null; }
    return { status: response.status, body };
  }

  // ---- The stream -----------------------------------------------------------------------
  function applySnapshot(data, id) {
    stats.snapshots++;
    seats.clear();
    for (const [ticket, label, category, status, holdEnds] of data.seats) {
      const p = place(label);
      seats.set(ticket, { ticket, label, category, status, holdEnds, ...p });
    }
    draw();
    showCounts();
    lastId = id;
    stats.lastId = id;
  }

  function applyChanges(data, id) {
    stats.changeMessages++;
    let redraw = false;
    for (const [auditId, ticket, status, holdEnds, label, category] of data.changes) {
      if (stats.lastChange != null && auditId <= stats.lastChange) {
        stats.repeats++; // never expected: the stream sends each change once, in order
        continue;
      }
      stats.lastChange = auditId;
      stats.changes++;
      let s = seats.get(ticket);
      if (!s) {
        if (!label) continue;
        s = { ticket, label, category, ...place(label) };
        seats.set(ticket, s);
        redraw = true;
      }
      s.status = status;
      s.holdEnds = holdEnds;
      if (status !== "s") mine.delete(ticket);
      if (s.el) paint(s);
    }
    if (redraw) draw();
    showCounts();
    lastId = id;
    stats.lastId = id;
  }

  let source = null;
  function connect() {
    const url = "/events/" + eventId + "/stream" +
      (lastId != null ? "?last_event_id=" + encodeURIComponent(lastId) : "");
    source = new EventSource(url);
    source.addEventListener("snapshot", (e) => applySnapshot(JSON.parse(e.data), e.lastEventId));
    source.addEventListener("changes", (e) => applyChanges(JSON.parse(e.data), e.lastEventId));
    source.onopen = () => {
      const c = $("connection");
      c.textContent = "Live";
      c.className = "connection live";
    };
    source.onerror = () => {
      const c = $("connection");
      c.textContent = "Reconnecting…";
      c.className = "connection down";
      stats.reconnects++;
      if (source.readyState === EventSource.CLOSED && !frozen) {
        // The browser gave up (the service answered with an error while it restarted):
        // connect again from where this page is, with the position in the URL.
        source.close();
        setTimeout(connect, 1000);
      }
    };
  }

  // Holds end by the clock: repaint the held seats whose hold ended.
  setInterval(() => {
    let changed = false;
    for (const s of seats.values()) {
      if (s.status === "h" && s.holdEnds > 0 && s.holdEnds <= Date.now() && s.el &&
          s.el.dataset.status === "held") {
        paint(s);
        changed = true;
      }
    }
    if (changed) showCounts();
  }, 1000);

  if (!eventId) {
    say("No event in this address: open /events/{event}/map.", "bad");
    return;
  }
  $("title").textContent = "Event " + eventId + ": seat map";
  document.title = "Seat map: event " + eventId;
  connect();
})();
