#pragma once

#include <QString>
#include <QStringView>

namespace countersign::text {

/// What a name looks like, for telling names apart the way a reader would (after Unicode
/// Technical Standard #39's skeletons, with a small table): compatibility-normalized (NFKC),
/// case-folded, without accents, invisible characters or spaces, with the Cyrillic and Greek
/// letters that look like Latin ones replaced by those, and the look-alike sequences and digits
/// ("rn" and "m", "vv" and "w", "0" and "o", "1", "I" and "l") merged. Two names with the same
/// skeleton read the same.
[[nodiscard]] QString skeleton(QStringView name);

} // namespace countersign::text
