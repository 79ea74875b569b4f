// Start GOV.UK Frontend's components (accordions, tabs, error summaries, ...).
import { initAll } from '../govuk-frontend/dist/govuk/govuk-frontend.min.js';

// A file input with data-progress shows upload progress for large case lists.
function showUploadProgress() {
  for (const form of document.querySelectorAll('form[data-upload-progress]')) {
    form.addEventListener('submit', (event) => {
      const bar = document.getElementById(form.dataset.uploadProgress);
      if (!bar || !window.XMLHttpRequest) return;
      event.preventDefault();
      const request = new XMLHttpRequest();
      request.open('POST', form.action);
      request.upload.addEventListener('progress', (e) => {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded / e.total) * 100);
          bar.textContent = bar.value + '%';
        }
      });
      request.addEventListener('load', () => {
        document.open();
        document.write(request.responseText);
        document.close();
        history.replaceState(null, '', request.responseURL);
        // The written page's own script tag does not run again (the module has already
        // run in this window), so start its components here: an error summary then takes
        // focus, as it does on any other page.
        start();
      });
      bar.hidden = false;
      request.send(new FormData(form));
    });
  }
}

function start() {
  initAll();
  showUploadProgress();
}

start();
