package io.conifer.backup;

import java.net.URI;

/**
 * Where an S3-compatible repository is: {@code s3://BUCKET/PREFIX}, with an endpoint for services other
 * than AWS (null: AWS's own for the region) and path-style addressing for those that need it; and how
 * to talk to it (part size, parallelism, retries).
 */
public record S3Location(String bucket, String prefix, URI endpoint, String region, boolean pathStyle,
        S3BackupRepository.Tuning tuning) {
    public static final String DEFAULT_REGION = "us-east-1";

    /** Parses {@code s3://BUCKET[/PREFIX]}; anything else is an {@link IllegalArgumentException} saying why. */
    public static S3Location parse(String repo, String endpoint, String region, boolean pathStyle) {
        if (!repo.startsWith("s3://")) {
            throw new IllegalArgumentException("--backup-repo '" + repo + "' is not s3://BUCKET/PREFIX");
        }
        String rest = repo.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("^/+|/+$", "");
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("--backup-repo '" + repo + "': '" + bucket + "' is not a valid S3 bucket name");
        }
        URI uri = null;
        if (endpoint != null && !endpoint.isBlank()) {
            uri = URI.create(endpoint);
            if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                throw new IllegalArgumentException("--s3-endpoint '" + endpoint + "' is not an http:// or https:// URL");
            }
        }
        return new S3Location(bucket, prefix, uri, region == null || region.isBlank() ? DEFAULT_REGION : region, pathStyle,
                S3BackupRepository.Tuning.defaults());
    }

    public S3Location withTuning(S3BackupRepository.Tuning newTuning) {
        return new S3Location(bucket, prefix, endpoint, region, pathStyle, newTuning);
    }

    /** The object key of {@code path} under the prefix. */
    String key(String path) {
        return prefix.isEmpty() ? path : prefix + "/" + path;
    }

    @Override
    public String toString() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
