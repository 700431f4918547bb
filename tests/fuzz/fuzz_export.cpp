// Audit exports: each line through the strict entry reader, and the whole input through the
// offline verifier (which must answer, never crash, whatever the file holds).
#include "audit/auditexport.h"
#include "crypto/crypto.h"
#include "evidence/exportline.h"

#include <QBuffer>

#include <cstdint>

using namespace countersign;

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    (void)crypto::initialize();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    audit::ExportLineReader reader;
    audit::ExportLineReader::Entry entry;
    for (const QByteArray& line : bytes.split('\n'))
        (void)reader.read(line, entry);
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    (void)audit::AuditExport::verify(buffer, QByteArray()); // the key the export names
    return 0;
}
