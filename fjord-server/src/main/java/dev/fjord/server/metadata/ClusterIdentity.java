package dev.fjord.server.metadata;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * The cluster id and node id recorded in every log directory's {@code meta.properties}, so that a
 * directory cannot silently be served by a broker of another cluster or node.
 *
 * <pre>
 *   version=1
 *   cluster.id=&lt;22-character base64 id&gt;
 *   node.id=&lt;int&gt;
 * </pre>
 */
public record ClusterIdentity(String clusterId, int nodeId) {
    static final String FILE_NAME = "meta.properties";

    /**
     * Reads the identity from the log directories, creating it in those that have none.
     *
     * @param configuredClusterId {@code cluster.id} from the config, or null to keep or generate one
     * @throws IllegalStateException with what is wrong and what to do when directories disagree
     */
    public static ClusterIdentity loadOrCreate(final List<Path> logDirs, final String configuredClusterId,
                                               final int nodeId) throws IOException {
        String clusterId = configuredClusterId;
        for (final Path dir : logDirs) {
            final Path file = dir.resolve(FILE_NAME);
            if (!Files.exists(file)) {
                continue;
            }
            final Properties props = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(r);
            }
            final String found = props.getProperty("cluster.id");
            final String foundNode = props.getProperty("node.id");
            if (clusterId != null && found != null && !clusterId.equals(found)) {
                throw new IllegalStateException("Log directory " + dir + " belongs to cluster " + found
                        + ", not " + clusterId + ". Use another log.dirs, or set cluster.id=" + found + ".");
            }
            if (foundNode != null && Integer.parseInt(foundNode) != nodeId) {
                throw new IllegalStateException("Log directory " + dir + " belongs to node.id " + foundNode
                        + ", not " + nodeId + ". Use another log.dirs, or set node.id=" + foundNode + ".");
            }
            clusterId = found;
        }
        if (clusterId == null) {
            clusterId = RandomIds.uuid().toString();
        }
        final ClusterIdentity identity = new ClusterIdentity(clusterId, nodeId);
        for (final Path dir : logDirs) {
            final Path file = dir.resolve(FILE_NAME);
            if (!Files.exists(file)) {
                final String text = "# Written by Fjord when this directory was first used.\nversion=1\ncluster.id="
                        + clusterId + "\nnode.id=" + nodeId + "\n";
                TopicRegistry.DurableFiles.replace(file, text.getBytes(StandardCharsets.UTF_8));
            }
        }
        return identity;
    }
}
