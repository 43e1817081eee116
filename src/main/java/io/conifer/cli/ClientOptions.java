package io.conifer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.conifer.auth.ApiKeys;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every client command shares: where the server is, the key, {@code --json}, and one way of
 * turning a {@link ClientException} into the server's message on stderr and its exit code.
 */
final class ClientOptions {
    @Option(names = "--host", paramLabel = "URL", defaultValue = "${env:CONIFER_HOST:-http://localhost:5080}",
            description = "The server's control plane (env CONIFER_HOST; default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:CONIFER_API_KEY}",
            description = "The API key (env CONIFER_API_KEY; a server-style list KEY:PROJECT,... is read as its first key).")
    String apiKey;

    @Option(names = "--api-key-file", paramLabel = "FILE", defaultValue = "${env:CONIFER_API_KEY_FILE}",
            description = "Read the API key from FILE instead, its first line (blank and # lines skipped): unlike --api-key,"
                    + " it keeps the key out of the process list (env CONIFER_API_KEY_FILE). An option outranks either"
                    + " variable; --api-key and --api-key-file together, or both variables, are refused.")
    Path apiKeyFile;

    @Option(names = "--json", description = "Print the API's JSON answer (for scripts) instead of text.")
    boolean json;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** What a client command does with its client; returns the exit code. */
    interface Action {
        int run(ControlPlaneClient client) throws ClientException;
    }

    int run(Action action) {
        try {
            return action.run(new ControlPlaneClient(uri(), firstKey()));
        } catch (ClientException e) {
            err().println("conifer: " + e.getMessage());
            err().flush();
            return e.exitCode();
        } finally {
            out().flush();
        }
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** {@code describe} commands: GET one object and show it. */
    int describe(String path) {
        return run(c -> {
            show(c.get(path));
            return 0;
        });
    }

    /**
     * {@code delete} commands. The API answers with no body, so {@code --json} prints nothing (the exit
     * code says it); text says {@code done}.
     */
    int delete(String path, String done) {
        return run(c -> {
            c.delete(path);
            if (!json) out().println(done);
            return 0;
        });
    }

    /** {@code list} commands: every page of a list, as its JSON or as a table with a row per item. */
    int list(String path, Table table, Function<JsonNode, Object[]> row) {
        return run(c -> {
            JsonNode all = Pages.all(c, path);
            if (json) {
                printJson(all);
            } else {
                for (JsonNode item : all.path("data")) table.row(row.apply(item));
                table.print(out());
            }
            return 0;
        });
    }

    /** One object: its JSON with {@code --json}, else {@code field: value} lines. */
    void show(JsonNode object) {
        if (json) printJson(object);
        else Fields.print(object, out());
    }

    /** The answer as JSON, for {@code --json}. */
    void printJson(JsonNode answer) {
        try {
            out().println(ControlPlaneClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private URI uri() throws ClientException {
        String h = host.contains("://") ? host : "http://" + host;
        try {
            URI u = new URI(h.endsWith("/") ? h : h + "/");
            if (u.getHost() == null) throw new URISyntaxException(host, "no host name");
            if (!u.getScheme().equalsIgnoreCase("http") && !u.getScheme().equalsIgnoreCase("https")) {
                throw new URISyntaxException(host, "not HTTP");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new ClientException(ClientException.USAGE, "--host takes an http:// or https:// URL such as"
                    + " http://localhost:5080, not '" + host + "'");
        }
    }

    /** The server reads CONIFER_API_KEY as KEY[:PROJECT],...; one shell may set it for both. */
    private String firstKey() throws ClientException {
        try {
            String key = ApiKeys.parse(ApiKeyFile.choose(spec, apiKey, apiKeyFile, ApiKeyFile::clientKey)).firstKey().orElse(null);
            if (key != null) requireHeaderSafe(key);
            return key;
        } catch (IllegalArgumentException e) {
            throw new ClientException(ClientException.USAGE, e.getMessage());
        }
    }

    /**
     * An HTTP header carries printable ASCII only; the HTTP client's own refusal would print the whole key.
     * Naming the character finds the usual culprit, an invisible one pasted with the key, and gives nothing away.
     */
    private static void requireHeaderSafe(String key) {
        for (int i = 0; i < key.length(); i = key.offsetByCodePoints(i, 1)) {
            int c = key.codePointAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException(String.format("the API key holds the character U+%04X, which an HTTP header"
                        + " cannot carry (pasted with the key?); retype it", c));
            }
        }
    }
}
