// Starts ReDoc on /redoc (an external file: the page allows scripts from this origin only).
window.Redoc.init('/openapi.json', { hideDownloadButton: false }, document.getElementById('redoc'))
