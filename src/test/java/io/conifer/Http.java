package io.conifer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** A tiny JSON-over-HTTP client for tests: real HTTP/1.1 requests, parsed JSON answers. */
public final class Http {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicReference<HttpClient> CLIENT = new AtomicReference<>(newClient());

    private static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * Closes the pooled keep-alive connections (requests under way finish first); later requests open new
     * ones. A server stopping waits out its graceful-shutdown timeout for each idle connection still open.
     */
    public static void dropIdleConnections() {
        HttpClient old = CLIENT.getAndSet(newClient());
        old.shutdown();
        try {
            old.awaitTermination(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final String base;
    private final String apiKey;

    public Http(String base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    /** A client for an index's data plane, given the index's {@code host} (with or without a scheme). */
    public Http forHost(String host) {
        return new Http(host.contains("://") ? host : "http://" + host, apiKey);
    }

    public Http withKey(String key) {
        return new Http(base, key);
    }

    public record Response(int status, String body, java.net.http.HttpHeaders headers) {
        /** A response read without a client that exposes headers (a raw socket, say). */
        public Response(int status, String body) {
            this(status, body, java.net.http.HttpHeaders.of(java.util.Map.of(), (name, value) -> true));
        }

        /** The value of a response header, or null. */
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public JsonNode json() {
            try {
                return body.isEmpty() ? JSON.nullNode() : JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("Not JSON (status " + status + "): " + body, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    public Response post(String path, Object body) {
        return send("POST", path, body);
    }

    public Response patch(String path, Object body) {
        return send("PATCH", path, body);
    }

    public Response send(String method, String path, Object body) {
        return send(method, path, body, null);
    }

    /** {@code body} is a JSON string or an object for Jackson; {@code version} sets X-Pinecone-Api-Version. */
    public Response send(String method, String path, Object body, String version) {
        try {
            String text = body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                    .method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
            if (text != null) b.header("Content-Type", "application/json");
            if (apiKey != null) b.header("Api-Key", apiKey);
            if (version != null) b.header("X-Pinecone-Api-Version", version);
            HttpResponse<String> r = CLIENT.get().send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates a dense serverless index and returns its {@code host}. */
    public String createDense(String name, int dimension, String metric) {
        Response r = post("/indexes", "{\"name\":\"" + name + "\",\"dimension\":" + dimension + ",\"metric\":\"" + metric
                + "\",\"spec\":{\"serverless\":{\"cloud\":\"aws\",\"region\":\"us-east-1\"}}}");
        if (r.status() != 201) throw new AssertionError("create index failed: " + r);
        return r.json().get("host").asText();
    }
}
