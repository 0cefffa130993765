// Health-check form: show only the fields of the chosen type. HTTP and HTTPS checks take one
// URL (the server splits it into host, port and path); a TCP check takes a host and a port; a
// calculated check takes other checks. Without this script every field is shown and works.
(function () {
  "use strict";

  const TARGET = ["url", "ip_address", "host_name", "port", "resource_path", "host_header", "search_string",
    "skip_tls_verification", "request_interval_seconds", "failure_threshold", "timeout_seconds", "regions",
    "is_inverted"];
  const CHILDREN = ["child_checks", "healthy_children_threshold"];
  const SHOWN = {
    http: ["url", "host_header"],
    https: ["url", "host_header", "skip_tls_verification"],
    http_str_match: ["url", "host_header", "search_string"],
    https_str_match: ["url", "host_header", "search_string", "skip_tls_verification"],
    tcp: ["ip_address", "host_name", "port"],
    calculated: CHILDREN,
  };
  const PROBED = ["request_interval_seconds", "failure_threshold", "timeout_seconds", "regions", "is_inverted"];

  function block(form, name) {
    return form.querySelector("#field-" + name);
  }

  function adapt(form) {
    const type = form.elements.check_type.value;
    const shown = new Set(SHOWN[type] || TARGET);
    if (type !== "calculated") PROBED.forEach((name) => shown.add(name));
    else shown.add("is_inverted");
    const urlGiven = form.elements.url && form.elements.url.value.trim() !== "";
    [...TARGET, ...CHILDREN].forEach((name) => {
      const el = block(form, name);
      if (!el) return;
      // A field with an error stays in view, whatever the type, so the message is read.
      let visible = shown.has(name) || el.classList.contains("has-error");
      // Without a URL, an HTTP check may still be given by its parts.
      if (!urlGiven && type in SHOWN && type.startsWith("http") && ["ip_address", "host_name", "port", "resource_path"].includes(name)) {
        visible = visible || hasValue(form, name);
      }
      el.hidden = !visible;
      // The .field rule's display would otherwise win over the hidden attribute.
      el.style.display = visible ? "" : "none";
    });
  }

  function hasValue(form, name) {
    const input = form.elements[name];
    return Boolean(input && input.value && input.value.trim() !== "" && input.value !== "/");
  }

  document.querySelectorAll("form[data-check-form]").forEach((form) => {
    form.elements.check_type.addEventListener("change", () => adapt(form));
    adapt(form);
  });
})();
