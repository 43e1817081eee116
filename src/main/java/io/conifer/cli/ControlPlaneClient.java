package io.conifer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.files.IoErrors;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A running server's control plane over HTTP, as the SDKs call it: {@code Api-Key} on every request and
 * API version 2026-07, the one version that serves every operation the CLI offers (backup schedules
 * exist only there) and whose backup deletion waits for the restores reading it instead of refusing.
 * Answers are JSON; a refusal becomes a {@link ClientException} carrying the server's own message.
 */
final class ControlPlaneClient {
    static final String API_VERSION = "2026-07";
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    private final String apiKey;
    private final boolean keyGiven;

    /** @param apiKey null when none was given: a server without keys accepts any value, but needs the header */
    ControlPlaneClient(URI base, String apiKey) {
        this.base = base;
        this.keyGiven = apiKey != null && !apiKey.isBlank();
        this.apiKey = keyGiven ? apiKey : "none";
    }

    URI base() {
        return base;
    }

    JsonNode get(String path) throws ClientException {
        return send("GET", path, null);
    }

    JsonNode post(String path, ObjectNode body) throws ClientException {
        return send("POST", path, body);
    }

    JsonNode patch(String path, ObjectNode body) throws ClientException {
        return send("PATCH", path, body);
    }

    void delete(String path) throws ClientException {
        send("DELETE", path, null);
    }

    /** A path segment with any character a name or id might hold escaped. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The answer's JSON, or an empty object when it has no body (deletes answer 202 or 204). */
    private JsonNode send(String method, String path, ObjectNode body) throws ClientException {
        URI uri = base.resolve(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Api-Key", apiKey).header("X-Pinecone-Api-Version", API_VERSION)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) request.header("Content-Type", "application/json");
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ClientException(ClientException.CONNECTION, "cannot reach the Conifer server at " + base + " ("
                    + IoErrors.describe(e) + "). Is it running? Set the address with --host or CONIFER_HOST.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException(ClientException.CONNECTION, "interrupted while calling " + uri);
        }
        int status = response.statusCode();
        if (status >= 400) {
            String message = coniferMessage(response);
            // An HTML page from another server, or a proxy's 502: the page is no message, and no Conifer answered.
            if (message == null) throw notConifer(method, path, response);
            if (status == 401) {
                throw new ClientException(ClientException.AUTHENTICATION, "the server did not accept the API key: "
                        + message + (keyGiven ? "" : " (no key was given: use --api-key, --api-key-file, CONIFER_API_KEY or CONIFER_API_KEY_FILE)"));
            }
            throw new ClientException(ClientException.OPERATION_FAILED, message + " (HTTP " + status + ")");
        }
        if (response.body().isBlank()) return JSON.createObjectNode();
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw notConifer(method, path, response);
        }
    }

    /** The answer's status and content type, never its body: a whole error page would bury the one line that matters. */
    private ClientException notConifer(String method, String path, HttpResponse<String> response) {
        String type = response.headers().firstValue("Content-Type").orElse("no content type");
        return new ClientException(ClientException.CONNECTION, base + " answered " + method + " " + path + " with HTTP "
                + response.statusCode() + " (" + type + "), which is not a Conifer control plane's answer. Is --host (or"
                + " CONIFER_HOST) right, and is any proxy in front of the server up?");
    }

    /**
     * The control plane's {@code error.message}; a 401 in plain text is the server's too (2026-07 answers
     * one so). Null when the answer is not Conifer's.
     */
    private static String coniferMessage(HttpResponse<String> response) {
        String body = response.body();
        try {
            JsonNode message = JSON.readTree(body).path("error").path("message");
            if (message.isTextual()) return message.asText();
        } catch (JsonProcessingException e) {
            // not JSON: maybe the plain-text 401
        }
        boolean plain = response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain");
        if (response.statusCode() != 401 || !plain) return null;
        return body.isBlank() ? "(no message)" : body.strip();
    }
}
