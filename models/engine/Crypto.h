// Small crypto helpers over OpenSSL: SHA-256, random tokens, base64url.
#pragma once

#include <QByteArray>

namespace lapse::crypto
{

QByteArray sha256(const QByteArray& data); // 32 raw bytes
QByteArray sha256Hex(const QByteArray& data); // 64 lowercase hex chars
QByteArray randomBytes(int n); // from OpenSSL's CSPRNG; aborts if it fails
QByteArray base64UrlEncode(const QByteArray& raw); // no padding
bool base64UrlDecode(const QByteArray& text, QByteArray* out); // strict: rejects padding and foreign chars
bool constantTimeEquals(const QByteArray& a, const QByteArray& b);

} // namespace lapse::crypto
