/* global document, window, FormData, XMLHttpRequest, HTMLFormElement */
// Progressive enhancement for the upload page: sends the form with XMLHttpRequest so the page can
// show how much has been uploaded. Without this script the form posts normally.
const form = document.querySelector('form[data-media-upload]');
const status = document.getElementById('upload-progress');
if (form && status && window.FormData && window.XMLHttpRequest) {
  const bar = status.querySelector('progress');
  const text = status.querySelector('[data-progress-text]');
  const button = form.querySelector('button[type="submit"], button:not([type])');

  const showErrors = (errors) => {
    document.querySelectorAll('[data-js-error-summary]').forEach((el) => el.remove());
    const summary = document.createElement('div');
    summary.className = 'govuk-error-summary';
    summary.setAttribute('data-js-error-summary', '');
    summary.setAttribute('tabindex', '-1');
    summary.setAttribute('role', 'alert');
    const body = document.createElement('div');
    body.setAttribute('role', 'alert');
    const title = document.createElement('h2');
    title.className = 'govuk-error-summary__title';
    title.textContent = 'There is a problem';
    const list = document.createElement('ul');
    list.className = 'govuk-list govuk-error-summary__list';
    for (const [field, message] of Object.entries(errors)) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = `#${field}`;
      a.textContent = String(message);
      li.append(a);
      list.append(li);
    }
    const wrapper = document.createElement('div');
    wrapper.className = 'govuk-error-summary__body';
    wrapper.append(list);
    summary.append(title, wrapper);
    form.before(summary);
    summary.focus();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('Accept', 'application/json');
    status.hidden = false;
    if (button) button.disabled = true;
    xhr.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.floor((e.loaded / e.total) * 100);
      bar.value = percent;
      text.textContent = percent < 100 ? `Uploading: ${percent}%` : 'Checking the files…';
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status === 201 && body && body.next) {
        text.textContent = 'Uploaded.';
        window.location.assign(body.next);
        return;
      }
      if (button) button.disabled = false;
      status.hidden = true;
      if (xhr.status === 400 && body && body.errors) {
        showErrors(body.errors);
        return;
      }
      // Anything else (a server error, an expired form): let the browser post it normally.
      form.removeAttribute('data-media-upload');
      HTMLFormElement.prototype.submit.call(form);
    });
    xhr.addEventListener('error', () => {
      if (button) button.disabled = false;
      text.textContent = 'The upload failed. Check your connection and try again.';
    });
    xhr.send(data);
  });
}
