package io.conifer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
                    + describe(e) + "). Is it running? Set the address with --host or CONIFER_HOST.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException(ClientException.CONNECTION, "interrupted while calling " + uri);
        }
        int status = response.statusCode();
        if (status == 401) {
            throw new ClientException(ClientException.AUTHENTICATION, "the server did not accept the API key: "
                    + message(response.body()) + (keyGiven ? "" : " (no key was given: use --api-key or CONIFER_API_KEY)"));
        }
        if (status >= 400) {
            throw new ClientException(ClientException.OPERATION_FAILED, message(response.body()) + " (HTTP " + status + ")");
        }
        if (response.body().isBlank()) return JSON.createObjectNode();
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new ClientException(ClientException.CONNECTION, base + " answered " + method + " " + path
                    + " with something other than JSON: is it a Conifer control plane?");
        }
    }

    private static String describe(IOException e) {
        String what = e.getClass().getSimpleName();
        return e.getMessage() == null ? what : what + ": " + e.getMessage();
    }

    /** The control plane's {@code error.message}, else the body as it came (2026-07 answers a 401 in plain text). */
    private static String message(String body) {
        try {
            JsonNode message = JSON.readTree(body).path("error").path("message");
            if (message.isTextual()) return message.asText();
        } catch (JsonProcessingException e) {
            // not JSON: the body itself is the message
        }
        return body.isBlank() ? "(no message)" : body.strip();
    }
}
