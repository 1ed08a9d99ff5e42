// Starts Swagger UI on /docs. An external file, not an inline script: the page's
// Content-Security-Policy allows scripts from this origin only.
window.ui = window.SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  deepLinking: true,
  persistAuthorization: true,
  oauth2RedirectUrl: window.location.origin + '/docs-assets/oauth2-redirect.html',
})
