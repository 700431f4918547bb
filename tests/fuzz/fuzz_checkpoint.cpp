// Checkpoints and signed notes: the raw input as a note and as a checkpoint file, and the input
// as a body signed with a known key, so that the parser past the signature is reached too.
#include "crypto/crypto.h"
#include "crypto/securebuffer.h"
#include "crypto/signingkey.h"
#include "evidence/checkpoint.h"

#include <cstdint>
#include <cstdlib>

using namespace countersign;

namespace {

const crypto::SigningKey& key()
{
    static const crypto::SigningKey fixed =
        *crypto::SigningKey::fromSeed(crypto::SecureBuffer::copyOf(QByteArray(32, '\x07')));
    return fixed;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    (void)crypto::initialize();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    (void)audit::Checkpoint::parse(bytes, key().publicKey());
    (void)audit::Checkpoint::parseFile(bytes, key().publicKey());
    // As a body under a valid signature (C2SP signed-note: body, blank line, signature line).
    if (bytes.endsWith('\n')) {
        const QString name = audit::Checkpoint::originFor(key().publicKey());
        const QByteArray signature = audit::Checkpoint::keyId(name, key().publicKey()) + key().sign(bytes);
        const QByteArray note = bytes + "\n\u2014 " + name.toUtf8() + ' ' + signature.toBase64() + '\n';
        auto parsed = audit::Checkpoint::parse(note, key().publicKey());
        // Whatever it accepts re-encodes to the body that was signed.
        if (parsed && audit::Checkpoint::body(parsed->origin, parsed->size, parsed->root) != bytes)
            std::abort();
    }
    return 0;
}
