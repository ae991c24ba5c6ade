package io.vhdstream.nbd;

import io.vhdstream.nbd.export.SnapshotCatalog;
import io.vhdstream.nbd.server.NbdConfigException;
import io.vhdstream.nbd.server.NbdServer;
import io.vhdstream.nbd.server.ServerSettings;
import io.vhdstream.nbd.tls.PemTls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NBD_OPT_STARTTLS with PEM files, against qemu-img's own TLS (tls-creds-x509, GnuTLS): a client with the CA
 * reads the snapshot; a plaintext client gets nothing. Certificates are made by openssl for the test.
 */
class TlsIT {
    @TempDir
    static Path tmp;
    static Path pki;

    @BeforeAll
    static void certificates() throws Exception {
        assertTrue(Tools.installed("openssl") && Tools.installed("qemu-img"),
                "openssl and qemu-img are needed (./run-tests installs them)");
        pki = Files.createDirectories(tmp.resolve("pki"));
        String d = pki.toString();
        Tools.ok("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/ca-key.pem", "-out",
                d + "/ca-cert.pem", "-days", "2", "-subj", "/CN=vhdstream test CA");
        Tools.ok("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/server-key.pem", "-out", d + "/server.csr",
                "-subj", "/CN=127.0.0.1");
        Files.writeString(pki.resolve("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
                + "keyUsage=digitalSignature,keyEncipherment\n");
        Tools.ok("openssl", "x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca-cert.pem", "-CAkey", d + "/ca-key.pem",
                "-CAcreateserial", "-out", d + "/server-cert.pem", "-days", "2", "-extfile", d + "/ext.cnf");
        Tools.ok("openssl", "rsa", "-in", d + "/server-key.pem", "-traditional", "-out", d + "/server-key-pkcs1.pem");
    }

    @Test
    void qemuImgReadsOverTlsAndPlaintextGetsNothing() throws Exception {
        LayerFixture f = LayerFixture.build(tmp.resolve("layers"), "vm", 4, 1, 9);
        var tls = PemTls.serverContext(pki.resolve("server-cert.pem"), pki.resolve("server-key.pem"));
        try (NbdServer s = NbdServer.start(ServerSettings.of(new InetSocketAddress("127.0.0.1", 0), tls),
                new SnapshotCatalog(List.of(tmp.resolve("layers"))))) {
            Path clientDir = Files.createDirectories(tmp.resolve("client"));
            Files.copy(pki.resolve("ca-cert.pem"), clientDir.resolve("ca-cert.pem"));
            Path out = tmp.resolve("s1.raw");
            Tools.ok("qemu-img", "convert", "--object", "tls-creds-x509,id=tls0,dir=" + clientDir + ",endpoint=client",
                    "--image-opts", "driver=nbd,host=127.0.0.1,port=" + s.port() + ",export=vm@s1,tls-creds=tls0",
                    "-O", "raw", out.toString());
            assertArrayEquals(f.snapshots.get("s1"), Files.readAllBytes(out));
            Tools.Result plain = Tools.run("qemu-img", "info", "-f", "raw", "nbd://127.0.0.1:" + s.port() + "/vm@s1");
            assertNotEquals(0, plain.exit());
            assertTrue(plain.output().toLowerCase().contains("tls"), plain.output());
        }
    }

    @Test
    void pemKeysInBothFormatsAndClearErrors() throws Exception {
        assertDoesNotThrow(() -> PemTls.serverContext(pki.resolve("server-cert.pem"), pki.resolve("server-key-pkcs1.pem")));
        NbdConfigException e = assertThrows(NbdConfigException.class,
                () -> PemTls.serverContext(pki.resolve("server-cert.pem"), pki.resolve("ca-cert.pem")));
        assertTrue(e.getMessage().contains("no PEM private key"), e.getMessage());
        e = assertThrows(NbdConfigException.class,
                () -> PemTls.serverContext(pki.resolve("server-key.pem"), pki.resolve("server-key.pem")));
        assertTrue(e.getMessage().contains("no PEM certificate") || e.getMessage().contains("cannot use"), e.getMessage());
    }
}
