package io.conifer.index;

/** Where an index says it runs. Conifer serves managed (serverless) indexes only. */
public record Deployment(String cloud, String region) {
    public static final Deployment DEFAULT = new Deployment("aws", "us-east-1");
}
