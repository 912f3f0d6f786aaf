package io.drover.http.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Tokens: generated with 256 random bits; only their SHA-256 (hex) is ever stored. */
public final class TokenHash {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Every generated token starts with this, so a leaked one is easy to find in a scan. */
  public static final String PREFIX = "drv_";

  private TokenHash() {}

  /** A new secret token: {@code drv_} and 43 characters of base64url. */
  public static String generate() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** The SHA-256 of {@code token} as lowercase hex: what is stored and looked up. */
  public static String of(String token) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }
}
