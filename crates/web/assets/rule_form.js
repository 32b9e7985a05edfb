// Live checks of the settings forms (rule_form.html) while typing: a box that is not a number
// is marked, and a group whose weights must add up to 100 says its sum. The server checks
// everything again on preview and save; this only saves a round trip.
(function () {
  "use strict";
  function check(input) {
    var v = input.value.trim();
    var bad = v !== "" && !/^-?\d+(\.\d+)?$/.test(v);
    var whole = input.dataset.step === "1";
    if (!bad && whole && v.indexOf(".") >= 0) { bad = true; }
    input.setAttribute("aria-invalid", bad ? "true" : "false");
    input.title = bad ? (whole ? "请填写整数" : "请填写数字") : "";
  }
  function sum(set) {
    var suffix = "." + set.dataset.sum;
    var total = 0;
    var inputs = set.querySelectorAll("input[name$='" + suffix + "']");
    for (var i = 0; i < inputs.length; i++) {
      total += parseFloat(inputs[i].value) || 0;
    }
    total = Math.round(total * 1000) / 1000;
    var out = set.querySelector(".sum-check");
    if (out) {
      out.textContent = total === 100 ? "权重合计 100%" : "权重合计 " + total + "%，应为 100%";
      out.classList.toggle("field-error", total !== 100);
    }
  }
  document.addEventListener("input", function (e) {
    var t = e.target;
    if (!t.dataset || t.dataset.step === undefined) { return; }
    check(t);
    var set = t.closest("fieldset[data-sum]");
    if (set) { sum(set); }
  });
  var sets = document.querySelectorAll("fieldset[data-sum]");
  for (var i = 0; i < sets.length; i++) { sum(sets[i]); }
})();
