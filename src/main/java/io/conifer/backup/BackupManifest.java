package io.conifer.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.conifer.index.IndexSchema;
import io.conifer.vectors.Metric;
import io.conifer.vectors.VectorType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a backup is: the source index's configuration, the record counts at the backup's point
 * in time, and the Lucene files of that commit, each with its content hash, length and CRC32C. A
 * backup is {@code Ready} only once every blob it names is durable in the repository.
 *
 * <p>{@code writerSession} names the Lucene writer the files came from: within one session Lucene
 * never writes two different files under one name, so a later backup may recognise an unchanged file
 * by name, length and footer checksum without reading it; across sessions (after a crash the writer
 * reuses names of files it flushed but never committed) it may not.
 *
 * <p>{@code schema} is the source index's typed schema. Manifests written before it existed carry
 * {@code vectorType}, {@code dimension}, {@code metric} and {@code filterableFields} instead; new
 * manifests leave those empty, and {@link #indexSchema()} reads either form.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupManifest(
        String backupId,
        String project,
        String name,
        String description,
        BackupStatus status,
        String failureReason,
        String createdAt,
        String sourceIndexName,
        String sourceIndexId,
        String cloud,
        String region,
        IndexSchema schema,
        String vectorType,
        int dimension,
        String metric,
        Set<String> filterableFields,
        Map<String, String> tags,
        boolean deletionProtection,
        long recordCount,
        int namespaceCount,
        Map<String, Long> namespaces,
        long sizeBytes,
        String writerSession,
        List<FileEntry> files,
        boolean deletionRequested) {

    /**
     * One Lucene file of the backed-up commit. {@code sha256} names its blob; {@code naming} says how a
     * plain blob's name is computed ({@link ContentHash#forNaming}): absent in entries written before
     * {@link TreeHash}, whose names are plain SHA-256, and in encrypted ones (named by an HMAC).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FileEntry(String name, String sha256, long length, int crc32c, long luceneChecksum, String naming) {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public BackupManifest withStatus(BackupStatus newStatus, String reason) {
        return new BackupManifest(backupId, project, name, description, newStatus, reason, createdAt, sourceIndexName,
                sourceIndexId, cloud, region, schema, vectorType, dimension, metric, filterableFields, tags, deletionProtection,
                recordCount, namespaceCount, namespaces, sizeBytes, writerSession, files, deletionRequested);
    }

    /** This backup with its deletion recorded, to finish once no restore reads it. */
    public BackupManifest withDeletionRequested() {
        return new BackupManifest(backupId, project, name, description, status, failureReason, createdAt, sourceIndexName,
                sourceIndexId, cloud, region, schema, vectorType, dimension, metric, filterableFields, tags, deletionProtection,
                recordCount, namespaceCount, namespaces, sizeBytes, writerSession, files, true);
    }

    public BackupManifest ready(List<FileEntry> copied) {
        long size = 0;
        for (FileEntry f : copied) size += f.length();
        return new BackupManifest(backupId, project, name, description, BackupStatus.Ready, null, createdAt,
                sourceIndexName, sourceIndexId, cloud, region, schema, vectorType, dimension, metric, filterableFields, tags,
                deletionProtection, recordCount, namespaceCount, namespaces, size, writerSession, List.copyOf(copied),
                deletionRequested);
    }

    /**
     * The source index's schema. Manifests written before the typed model recorded only vector type,
     * dimension, metric and filterable fields; those describe a vector index. A salvaged manifest may
     * know neither: its schema is empty.
     */
    public IndexSchema indexSchema() {
        if (schema != null) return schema;
        if (vectorType == null) return new IndexSchema(Map.of());
        return IndexSchema.vectors(VectorType.fromApi(vectorType), dimension, Metric.fromApi(metric), filterableFields);
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A manifest as stored. Anyone who can write the repository can write a manifest, and a restore
     * writes each file under the name the manifest gives it, so a name that is not a plain Lucene file
     * name (a path, {@code ..}) makes the whole manifest unreadable rather than a place to write to.
     */
    /** Whether {@code name} is a backup id (a UUID): what a manifest in a repository is named by. */
    static boolean isBackupId(String name) {
        return name.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    /**
     * The manifest stored under {@code id}. One holding another backup's id is unreadable: how a manifest
     * is stored (encrypted or not) is looked up by the id, and a planted plaintext manifest claiming an
     * encrypted backup's id could otherwise pass for it.
     */
    static BackupManifest fromJson(String id, byte[] json) throws IOException {
        BackupManifest m = fromJson(json);
        if (!id.equals(m.backupId())) throw new IOException("it holds the manifest of backup " + m.backupId());
        return m;
    }

    public static BackupManifest fromJson(byte[] json) throws IOException {
        BackupManifest m = JSON.readValue(json, BackupManifest.class);
        if (m.files() != null) {
            for (FileEntry f : m.files()) {
                if (f == null || !isFileName(f.name())) {
                    throw new IOException("it names a file " + (f == null ? "null" : "'" + f.name() + "'")
                            + ", which is not a Lucene file name (letters, digits, '_', '.' and '-' only)");
                }
            }
        }
        return m;
    }

    /** Whether {@code name} is one a Lucene index directory may hold: a single path element, never {@code .} or {@code ..}. */
    static boolean isFileName(String name) {
        if (name == null || name.isEmpty() || name.length() > 255 || name.equals(".") || name.equals("..")) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                    || c == '-';
            if (!ok) return false;
        }
        return true;
    }

    /**
     * A stand-in, {@code Failed} with {@code reason}, for a backup whose manifest no copy of holds
     * intact: the leading scalar fields are read from the damaged body as far as it parses (a
     * truncated manifest keeps its id, project, names and dates), so its owner sees it and can delete
     * it. Its files are unknown ({@code null}). Empty when not even its project can be read.
     */
    public static Optional<BackupManifest> salvage(String backupId, byte[] damaged, String reason) {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser p = JSON.getFactory().createParser(damaged)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME;
                        t = p.nextToken()) {
                    String field = p.currentName();
                    if (p.nextToken().isScalarValue()) fields.put(field, p.getValueAsString());
                    else p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            // The body ends here; what was read so far is what can be salvaged.
        }
        if (fields.get("project") == null || !backupId.equals(fields.get("backup_id"))) return Optional.empty();
        return Optional.of(new BackupManifest(backupId, fields.get("project"), fields.get("name"),
                fields.get("description"), BackupStatus.Failed, reason,
                fields.getOrDefault("created_at", "1970-01-01T00:00:00.000Z"),
                fields.getOrDefault("source_index_name", "unknown"), fields.getOrDefault("source_index_id", "unknown"),
                fields.getOrDefault("cloud", "unknown"), fields.getOrDefault("region", "unknown"), null, fields.get("vector_type"),
                0, fields.get("metric"), null, null, false, 0, 0, null, 0, null, null, false));
    }
}
