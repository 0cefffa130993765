// Record editor: show only the fields the chosen type, policy and alias use; inline edit of
// TTL and values; select-all for bulk delete (the server then shows the plan before deleting);
// the pending change's status until INSYNC.
// Every form works without this script (all fields shown, edit links open the full form).
(function () {
  "use strict";

  const POLICY_FIELDS = {
    simple: [],
    weighted: ["set_identifier", "weight", "health_check"],
    latency: ["set_identifier", "region", "health_check"],
    failover: ["set_identifier", "failover", "health_check"],
    geolocation: ["set_identifier", "continent", "country", "subdivision", "health_check"],
    multivalue: ["set_identifier", "health_check"],
  };
  const POLICY_ONLY = ["set_identifier", "weight", "region", "failover", "continent", "country", "subdivision"];
  const ALIAS_FIELDS = ["alias_target_name", "alias_endpoint", "evaluate_target_health"];
  const PLAIN_ONLY = ["SOA", "NS", "DS"];
  const EXAMPLES = {
    A: "192.0.2.1", AAAA: "2001:db8::1", CAA: '0 issue "letsencrypt.org"', CNAME: "www.example.net.",
    DS: "12345 13 2 <digest>", HTTPS: '1 . alpn="h2"', MX: "10 mail.example.com.",
    NAPTR: '100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .', NS: "ns1.example.net.",
    PTR: "host.example.com.", SPF: '"v=spf1 -all"', SRV: "0 5 5060 sip.example.com.",
    SSHFP: "4 2 <fingerprint>", SVCB: '1 svc.example.com. alpn="h2"', TLSA: "3 1 1 <hash>", TXT: '"hello world"',
  };

  function field(form, name) {
    return form.querySelector("#field-" + name);
  }

  function show(form, name, visible) {
    const el = field(form, name);
    if (el) el.hidden = !visible;
  }

  function adapt(form) {
    const type = form.elements.type ? form.elements.type.value : "A";
    const policySelect = form.elements.policy;
    const alias = form.elements.is_alias && form.elements.is_alias.checked;
    const plain = PLAIN_ONLY.includes(type);
    if (plain && policySelect) policySelect.value = "simple";
    const policy = policySelect ? policySelect.value : "simple";
    show(form, "policy", !plain);
    show(form, "is_alias", !plain);
    const wanted = POLICY_FIELDS[policy] || [];
    POLICY_ONLY.concat(["health_check"]).forEach((name) => show(form, name, wanted.includes(name)));
    ALIAS_FIELDS.forEach((name) => show(form, name, alias));
    show(form, "ttl", !alias);
    show(form, "values", !alias);
    if (form.elements.values) form.elements.values.placeholder = EXAMPLES[type] || "";
  }

  document.querySelectorAll("form.record-form").forEach((form) => {
    adapt(form);
    form.addEventListener("change", () => adapt(form));
  });

  const selectAll = document.getElementById("select-all");
  if (selectAll) {
    selectAll.hidden = false;
    selectAll.addEventListener("change", () => {
      document.querySelectorAll('#bulk-form input[name="ids"]').forEach((box) => { box.checked = selectAll.checked; });
    });
  }
  const template = document.getElementById("inline-edit-template");
  document.querySelectorAll("[data-inline-edit]").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const row = link.closest("tr");
      if (row.nextElementSibling && row.nextElementSibling.classList.contains("inline-row")) return;
      const editRow = document.createElement("tr");
      editRow.className = "inline-row";
      const cell = document.createElement("td");
      cell.colSpan = row.children.length;
      const form = template.content.firstElementChild.cloneNode(true);
      form.action = link.dataset.inlineEdit;
      form.elements.ttl.value = row.querySelector("[data-ttl]").textContent.trim().replace("—", "");
      form.elements.values.value = Array.from(row.querySelectorAll("[data-values] code"))
        .map((code) => code.textContent).join("\n");
      form.querySelector("[data-cancel]").addEventListener("click", () => editRow.remove());
      form.addEventListener("submit", async (submitEvent) => {
        submitEvent.preventDefault();
        const response = await fetch(form.action, {
          method: "POST", body: new FormData(form), headers: { Accept: "application/json" }, credentials: "same-origin",
        });
        const answer = await response.json();
        if (answer.ok) { window.location.reload(); return; }
        const error = form.querySelector(".error");
        error.textContent = answer.error;
        error.hidden = false;
      });
      cell.appendChild(form);
      editRow.appendChild(cell);
      row.after(editRow);
    });
  });

  const pending = document.getElementById("pending-change");
  if (pending) {
    const badge = pending.querySelector("[data-status]");
    const poll = async () => {
      const response = await fetch(pending.dataset.statusUrl, { credentials: "same-origin" });
      if (!response.ok) return;
      const answer = await response.json();
      badge.textContent = answer.status;
      if (answer.status === "INSYNC") {
        badge.className = "badge ok";
        return;
      }
      window.setTimeout(poll, 2000);
    };
    window.setTimeout(poll, 1000);
  }
})();
