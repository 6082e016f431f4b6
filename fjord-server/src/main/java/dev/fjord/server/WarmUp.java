package dev.fjord.server;

import dev.fjord.protocol.ProtocolClasses;
import dev.fjord.server.config.BrokerConfig;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * A throw-away broker run that loads the classes a client's first requests need, so that
 * {@code bin/fjord} can record them in a class-data-sharing archive ({@code -XX:ArchiveClassesAtExit})
 * once per build. Starting from that archive, a broker answers its first Metadata request in well
 * under a second instead of about one.
 */
final class WarmUp {
    private WarmUp() {
    }

    static void run() throws IOException {
        final Path dir = Files.createTempDirectory("fjord-warm-up-");
        try (Broker broker = Broker.start(BrokerConfig.fromMap(Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0", "log.dirs", dir.toString())));
             Socket socket = new Socket("127.0.0.1", broker.boundPort())) {
            final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            roundTrip(out, in, ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                    .setClientSoftwareName("fjord-warm-up").setClientSoftwareVersion("1"));
            roundTrip(out, in, ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void roundTrip(final DataOutputStream out, final DataInputStream in, final ApiKeys api,
                                  final short version, final ApiMessage body) throws IOException {
        ProtocolClasses.writeRequest(out, api, version, 1, body);
        in.readFully(new byte[in.readInt()]);
    }
}
