// Starts Swagger UI on the spec the page names. A file, not an inline script, so that the
// docs page's Content-Security-Policy can refuse every inline script.
(function () {
  "use strict";
  var container = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: container.dataset.specUrl,
    domNode: container,
    deepLinking: true,
    validatorUrl: null, // the default would send the spec to validator.swagger.io
  });
})();
