// Start GOV.UK Frontend's components (accordions, tabs, error summaries, ...).
import { initAll } from '../govuk-frontend/dist/govuk/govuk-frontend.min.js';

initAll();

// A file input with data-progress shows upload progress for large case lists.
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
    });
    bar.hidden = false;
    request.send(new FormData(form));
  });
}
