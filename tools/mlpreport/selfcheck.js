/* selfcheck.js: inlined first in the report's <head>. It records every window error
 * (script errors, resources that fail to load, unhandled rejections, console.error)
 * and, once the page has loaded, checks each <img>: loaded (naturalWidth > 0) and not
 * blank (drawn on a canvas, its pixels are not all one colour); and that the page has
 * as many images as the generator put in it (body's data-images). The verdict goes into
 * #selfcheck: data-verdict="pass" or "fail", and one line per problem, which the browser
 * test reads from the DOM that headless Chromium dumps. */
(function () {
  "use strict";
  var problems = [];
  window.addEventListener("error", function (e) {
    var t = e.target;
    if (t && t !== window && t.tagName) {
      problems.push("resource failed to load: <" + t.tagName.toLowerCase() + "> " +
                    (t.getAttribute("alt") || t.getAttribute("src") || "").slice(0, 80));
    } else {
      problems.push("script error: " + e.message + " (line " + e.lineno + ")");
    }
  }, true);
  window.addEventListener("unhandledrejection", function (e) {
    problems.push("unhandled promise rejection: " + e.reason);
  });
  var consoleError = console.error;
  console.error = function () {
    problems.push("console.error: " + Array.prototype.join.call(arguments, " "));
    return consoleError.apply(console, arguments);
  };

  function oneColour(img) {
    var canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    var ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    var px = new Uint32Array(ctx.getImageData(0, 0, canvas.width, canvas.height).data.buffer);
    for (var i = 1; i < px.length; i++) {
      if (px[i] !== px[0]) return false;
    }
    return true;
  }

  window.addEventListener("load", function () {
    var images = document.images, good = 0;
    for (var i = 0; i < images.length; i++) {
      var img = images[i], name = img.getAttribute("alt") || "image " + i;
      if (!img.complete || img.naturalWidth === 0) {
        problems.push("image did not load: " + name);
        continue;
      }
      try {
        if (oneColour(img)) {
          problems.push("image is blank (one colour): " + name);
          continue;
        }
      } catch (err) {
        problems.push("image cannot be read back: " + name + ": " + err);
        continue;
      }
      good++;
    }
    var expected = document.body.getAttribute("data-images");
    if (expected !== null && Number(expected) !== images.length) {
      problems.push("the generator made " + expected + " images, the page has " + images.length);
    }
    var out = document.getElementById("selfcheck");
    if (!out) return;
    out.setAttribute("data-verdict", problems.length ? "fail" : "pass");
    out.setAttribute("data-good-images", String(good));
    out.textContent = problems.length
      ? "self-check FAILED:\n" + problems.join("\n")
      : "self-check passed: " + good + " of " + images.length +
        " images loaded and not blank, no errors";
  });
})();
