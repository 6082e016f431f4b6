package dev.fjord.server.metadata;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.kafka.common.Uuid;

/**
 * Random cluster and topic ids, as Kafka's {@link Uuid#randomUuid()} makes them (version-4 UUIDs; never the
 * zero or metadata-topic id; never one whose text starts with '-', which command lines would take for an
 * option), but read straight from the kernel's random source.
 *
 * <p>Why: {@code Uuid.randomUuid()} goes through {@link java.security.SecureRandom}, whose first use sets up
 * the JDK's security providers, ~10 ms of CPU on a fresh broker's path to its first answer (cluster id and
 * the internal topics' ids). {@code /dev/urandom} is the source SecureRandom's default reads too. Where it
 * cannot be read (not Linux or macOS), Kafka's method is used.
 */
public final class RandomIds {
    private static final String URANDOM = "/dev/urandom";

    private RandomIds() {
    }

    public static Uuid uuid() {
        while (true) {
            final Uuid id = fromKernel();
            if (!id.equals(Uuid.ZERO_UUID) && !id.equals(Uuid.METADATA_TOPIC_ID) && !id.toString().startsWith("-")) {
                return id;
            }
        }
    }

    private static Uuid fromKernel() {
        final byte[] bytes = new byte[16];
        try (InputStream in = new FileInputStream(URANDOM)) {
            if (in.readNBytes(bytes, 0, bytes.length) != bytes.length) {
                return Uuid.randomUuid();
            }
        } catch (IOException | SecurityException e) {
            return Uuid.randomUuid();
        }
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        final long msb = b.getLong() & ~0xF000L | 0x4000L;                        // version 4
        final long lsb = b.getLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L; // IETF variant
        return new Uuid(msb, lsb);
    }
}
