package io.mp4j.protocol;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.KeyAgreement;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.zeromq.ZMQ;

/**
 * CurveZMQ keys derived from the shared authkey, and the socket settings that use them. Not for
 * users.
 *
 * <p>Every holder of the authkey derives the same two Curve25519 key pairs: the broker's, so that
 * a peer knows the server key without any key file, and the peers', which the broker's ZAP
 * handler accepts as the proof that a peer holds the authkey. A peer with another key derives
 * another server key; the broker cannot open its handshake and closes the connection. The
 * session keys of each connection are still ephemeral (CurveZMQ's own), so one recorded session
 * does not open another.
 *
 * <p>The derivation is PBKDF2 with many rounds: anyone who records a handshake can test guesses
 * of the authkey against it, and each guess should cost them that much. A long random authkey is
 * the real defence.
 */
public final class CurveKeys {
  /** The ZAP domain the broker's socket names, so that its ZAP handler sees its connections. */
  public static final String ZAP_DOMAIN = "mp4j";
  private static final int ROUNDS = 10_000;
  private static final byte[] SALT = "mp4j curve keys v1".getBytes(StandardCharsets.US_ASCII);
  private static final Map<String, CurveKeys> CACHE = new ConcurrentHashMap<>();

  private final byte[] serverSecret;
  private final byte[] serverPublic;
  private final byte[] peerSecret;
  private final byte[] peerPublic;

  private CurveKeys(byte[] authkey) {
    byte[] material = pbkdf2(authkey);
    this.serverSecret = Arrays.copyOfRange(material, 0, 32);
    this.peerSecret = Arrays.copyOfRange(material, 32, 64);
    this.serverPublic = publicKey(serverSecret);
    this.peerPublic = publicKey(peerSecret);
  }

  /** The keys of this authkey; derived once per JVM, since each derivation is slow on purpose. */
  public static CurveKeys of(byte[] authkey) {
    if (authkey == null || authkey.length == 0) {
      throw new IllegalArgumentException("CurveZMQ keys need an authkey");
    }
    String cacheKey = java.util.HexFormat.of().formatHex(sha256(authkey));
    return CACHE.computeIfAbsent(cacheKey, k -> new CurveKeys(authkey));
  }

  /**
   * Whether a connection to this address with this key is encrypted: with an authkey, over TCP.
   * An inproc connection never leaves the process.
   */
  public static boolean encrypts(String address, byte[] authkey) {
    return authkey != null && authkey.length > 0 && address.startsWith("tcp://");
  }

  /** Makes a socket the CurveZMQ server of these keys; call before it binds. */
  public void applyServer(ZMQ.Socket socket) {
    socket.setZAPDomain(ZAP_DOMAIN);
    socket.setCurveServer(true);
    socket.setCurveSecretKey(serverSecret);
    socket.setCurvePublicKey(serverPublic);
  }

  /** Makes a socket a CurveZMQ client of the broker of these keys; call before it connects. */
  public void applyClient(ZMQ.Socket socket) {
    socket.setCurveServerKey(serverPublic);
    socket.setCurvePublicKey(peerPublic);
    socket.setCurveSecretKey(peerSecret);
  }

  /** Whether a client's long-term public key, as ZAP reports it, proves the authkey. */
  public boolean acceptsPeer(byte[] publicKey) {
    return publicKey != null && MessageDigest.isEqual(peerPublic, publicKey);
  }

  private static byte[] pbkdf2(byte[] authkey) {
    // PBEKeySpec takes chars: the key's bytes map one to one onto the chars 0 to 255.
    char[] chars = new char[authkey.length];
    for (int i = 0; i < authkey.length; i++) {
      chars[i] = (char) (authkey[i] & 0xff);
    }
    try {
      SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
      return factory.generateSecret(new PBEKeySpec(chars, SALT, ROUNDS, 512)).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JVM", e);
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  /** The Curve25519 public key of a secret key: X25519 of the secret and the base point 9. */
  private static byte[] publicKey(byte[] secret) {
    try {
      KeyFactory factory = KeyFactory.getInstance("XDH");
      PrivateKey privateKey = factory.generatePrivate(
          new XECPrivateKeySpec(NamedParameterSpec.X25519, secret));
      PublicKey base = factory.generatePublic(
          new XECPublicKeySpec(NamedParameterSpec.X25519, BigInteger.valueOf(9)));
      KeyAgreement agreement = KeyAgreement.getInstance("XDH");
      agreement.init(privateKey);
      agreement.doPhase(base, true);
      return agreement.generateSecret();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 is missing from this JVM", e);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
