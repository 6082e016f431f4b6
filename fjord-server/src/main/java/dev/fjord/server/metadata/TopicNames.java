package dev.fjord.server.metadata;

import org.apache.kafka.common.errors.InvalidTopicException;

/** Kafka's rules for topic names, checked in one place. */
public final class TopicNames {
    /** Kafka's limit: a partition directory "name-partition" must stay a valid file name (255). */
    public static final int MAX_LENGTH = 249;

    private TopicNames() {
    }

    /** @throws InvalidTopicException saying what is wrong with the name */
    public static void validate(final String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidTopicException("Topic name is empty");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new InvalidTopicException("Topic name cannot be \".\" or \"..\"");
        }
        if (name.length() > MAX_LENGTH) {
            throw new InvalidTopicException("Topic name is longer than " + MAX_LENGTH + " characters: " + name.length());
        }
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            final boolean legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!legal) {
                throw new InvalidTopicException("Topic name '" + name
                        + "' contains a character other than ASCII alphanumerics, '.', '_' and '-'");
            }
        }
    }

    public static boolean isValid(final String name) {
        try {
            validate(name);
            return true;
        } catch (InvalidTopicException e) {
            return false;
        }
    }
}
