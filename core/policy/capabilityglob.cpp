#include "capabilityglob.h"

namespace countersign::policy {

namespace {

bool isWordChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'_' || c == u'-';
}

} // namespace

Result<void> CapabilityGlob::validateCapability(QStringView capability)
{
    if (capability.isEmpty() || capability.size() > MAX_LENGTH)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("a capability has 1 to %1 characters").arg(MAX_LENGTH));
    bool segmentStart = true;
    for (const QChar c : capability) {
        if (c == u'.') {
            if (segmentStart)
                return fail(ErrorCode::InvalidArgument,
                            QStringLiteral("capability '%1' has an empty segment").arg(capability.toString()));
            segmentStart = true;
            continue;
        }
        if (segmentStart && !(c >= u'a' && c <= u'z'))
            return fail(ErrorCode::InvalidArgument,
                        QStringLiteral("each segment of capability '%1' must start with a lower-case letter")
                            .arg(capability.toString()));
        if (!isWordChar(c))
            return fail(
                ErrorCode::InvalidArgument,
                QStringLiteral("capability '%1' may hold only a-z, 0-9, '_', '-' and dots").arg(capability.toString()));
        segmentStart = false;
    }
    if (segmentStart)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("capability '%1' ends with a dot").arg(capability.toString()));
    return {};
}

Result<void> CapabilityGlob::validateGlob(QStringView glob)
{
    if (glob.isEmpty() || glob.size() > MAX_LENGTH)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("a capability glob has 1 to %1 characters").arg(MAX_LENGTH));
    for (const QChar c : glob) {
        if (!isWordChar(c) && c != u'.' && c != u'*' && c != u'?')
            return fail(
                ErrorCode::InvalidArgument,
                QStringLiteral("glob '%1' may hold only a-z, 0-9, '_', '-', '.', '*' and '?'").arg(glob.toString()));
    }
    if (glob.contains(u".."))
        return fail(ErrorCode::InvalidArgument, QStringLiteral("glob '%1' has an empty segment").arg(glob.toString()));
    return {};
}

bool CapabilityGlob::matches(QStringView glob, QStringView capability)
{
    // Iterative wildcard match with one backtrack point: linear in practice, never exponential.
    qsizetype g = 0, c = 0, star = -1, resume = 0;
    while (c < capability.size()) {
        if (g < glob.size() && (glob[g] == u'?' || glob[g] == capability[c])) {
            ++g;
            ++c;
        } else if (g < glob.size() && glob[g] == u'*') {
            star = g++;
            resume = c;
        } else if (star >= 0) {
            g = star + 1;
            c = ++resume;
        } else {
            return false;
        }
    }
    while (g < glob.size() && glob[g] == u'*')
        ++g;
    return g == glob.size();
}

} // namespace countersign::policy
