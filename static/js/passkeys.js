/* Passkeys (WebAuthn): the browser's half of each ceremony (accounts/passkeys.py has the server's).
 *
 * A form holding <input type="hidden" data-passkey-ceremony="create|get" data-passkey-options-url="..."> is
 * stopped when submitted with that field empty: the options are fetched (POST, with the form's CSRF token), the
 * browser asks for the passkey (navigator.credentials.create or .get), the answer is put in the field as JSON,
 * and the form is submitted again with the same button. The server checks the answer. A form whose code field
 * (name="code") is filled is submitted as it is: a code or a recovery code stands in for the passkey.
 * Elements marked data-passkey-only stay hidden in a browser without WebAuthn. */
(function () {
  "use strict";

  function toBuffer(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBuffer(item.id), transports: item.transports };
    });
  }

  function creationOptions(options) {
    var publicKey = Object.assign({}, options);
    publicKey.challenge = toBuffer(options.challenge);
    publicKey.user = Object.assign({}, options.user, { id: toBuffer(options.user.id) });
    publicKey.excludeCredentials = descriptors(options.excludeCredentials);
    return { publicKey: publicKey };
  }

  function requestOptions(options) {
    var publicKey = Object.assign({}, options);
    publicKey.challenge = toBuffer(options.challenge);
    publicKey.allowCredentials = descriptors(options.allowCredentials);
    return { publicKey: publicKey };
  }

  function answer(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toText(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      json.response.attestationObject = toText(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toText(response.authenticatorData);
      json.response.signature = toText(response.signature);
      if (response.userHandle) json.response.userHandle = toText(response.userHandle);
    }
    return JSON.stringify(json);
  }

  function say(form, text) {
    var status = form.querySelector("[data-passkey-status]");
    if (status) {
      status.textContent = text;
      status.hidden = !text;
    }
  }

  function fetchOptions(form, field) {
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    return fetch(field.getAttribute("data-passkey-options-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.detail || "The server refused to start.");
        return body;
      });
    });
  }

  function ceremony(form, field) {
    var create = field.getAttribute("data-passkey-ceremony") === "create";
    return fetchOptions(form, field).then(function (options) {
      return create
        ? navigator.credentials.create(creationOptions(options))
        : navigator.credentials.get(requestOptions(options));
    });
  }

  function attach(field) {
    var form = field.form;
    if (!form) return;
    form.addEventListener("submit", function (event) {
      var code = form.querySelector("input[name=code]");
      if (field.value || (code && code.value.trim())) return;
      event.preventDefault();
      var submitter = event.submitter || null;
      if (submitter) submitter.disabled = true;
      say(form, "Waiting for your passkey…");
      ceremony(form, field)
        .then(function (credential) {
          field.value = answer(credential);
          say(form, "");
          if (submitter) submitter.disabled = false;
          form.requestSubmit(submitter);
        })
        .catch(function (error) {
          if (submitter) submitter.disabled = false;
          var cancelled = error && (error.name === "NotAllowedError" || error.name === "AbortError");
          say(form, cancelled ? "The passkey was not used. Try again." : "Passkey failed: " + error.message);
        });
    });
  }

  function start() {
    if (!window.PublicKeyCredential || !navigator.credentials) return;
    document.querySelectorAll("[data-passkey-only]").forEach(function (element) {
      element.hidden = false;
    });
    document.querySelectorAll("input[data-passkey-ceremony]").forEach(attach);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
