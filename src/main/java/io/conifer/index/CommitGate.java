package io.conifer.index;

/**
 * Asked right before a control-plane operation makes its first durable change (its commit point). A
 * request that already timed out and was answered with an error must change nothing: the gate throws
 * then, and once it has let an operation pass, that operation's own answer is the one the client gets.
 */
@FunctionalInterface
public interface CommitGate {
    CommitGate OPEN = () -> {};

    void pass();
}
