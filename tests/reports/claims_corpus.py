"""Sentences in the shapes of DOMAIN.md §4.2, written here from invented figures, with the verdicts
of the claims a checker must find in them, in reading order (H holds, N does not hold, C cannot be
checked)."""

H, N, C = "holds", "does_not_hold", "cannot_check"

CORPUS: list[tuple[str, list[str]]] = [
    # Rates with their counts.
    ("Toàn Đảng bộ có 1.932/1.987 đảng viên đã học tập, đạt 97,23%.", [H]),
    ("Kết quả: 12.408/12.957 đảng viên tham gia học tập, đạt 95,76%.", [H]),
    ("Có 256/263 đảng viên học tập = 97,34%.", [H]),
    ("Tỷ lệ đảng viên tham gia học tập đạt 98,15% (106/108).", [H]),
    ("Đảng bộ xã Hòa Bình có 51/54 đảng viên học tập, đạt 94,44%.", [H]),
    ("Chi bộ Trường THPT có 26/28 đảng viên học tập, đạt 92,86%.", [H]),
    ("Người chưa là đảng viên: 746/760 người, đạt 98,2%.", [H]),
    ("Quần chúng nhân dân tham gia 1.540/1.612 người, chiếm 95,53%.", [H]),
    ("Đến nay 41/41 chi, đảng bộ cơ sở đã hoàn thành, đạt 100%.", [H]),
    ("Có 2.204/2.260 đảng viên = 97,52% đã học tập.", [H]),
    ("Đảng viên dự bị học tập 87/90, đạt 96,67%.", [H]),
    ("Cán bộ chủ chốt tham dự 312/315 người, đạt 99,05%.", [H]),
    ("Đạt 96,6% (255/264 đảng viên).", [H]),
    ("Số đảng viên học tập bổ sung là 18/20, đạt 90%.", [H]),
    ("Tỷ lệ đảng viên đăng ký làm theo đạt 99,24% (261/263).", [H]),
    # Rates with exclusions: the base is the total less those left out.
    ("Có 4.212/4.690 đảng viên học tập, đạt 97,12% (trừ 201 đảng viên miễn sinh hoạt, miễn công tác "
     "và 152 đảng viên đi làm ăn xa).", [H]),
    ("Đã học tập 1.016/1.100 đảng viên, đạt 97,32% (trừ 42 đảng viên miễn sinh hoạt và 14 đảng viên đi "
     "làm ăn xa).", [H]),
    ("Tính đến ngày 31/3/2024 có 256/263 đảng viên học tập, đạt 97,34% (trừ 18 đảng viên miễn công tác "
     "và sinh hoạt đảng và 11 đảng viên đi làm ăn xa).", [H]),
    ("Có 530/580 đảng viên học tập, đạt 96,01% (không tính 28 đảng viên miễn sinh hoạt).", [H]),
    # Wrong rates: rounding, precision, slips.
    ("Toàn Đảng bộ có 255/264 đảng viên tham gia học tập, đạt 96,50%.", [N]),
    ("Có 2/3 chi bộ hoàn thành, đạt 66,66%.", [N]),
    ("Có 262/263 đảng viên học tập, đạt 100%.", [N]),
    ("Kết quả: 12.408/12.957 đảng viên tham gia học tập, đạt 95,67%.", [N]),
    ("Đạt 97,35% (256/263 đảng viên).", [N]),
    ("Có 4.212/4.690 đảng viên học tập, đạt 97,21% (trừ 201 đảng viên miễn sinh hoạt và 152 đảng viên "
     "đi làm ăn xa).", [N]),
    ("Có 120/110 người tham dự, đạt 109,09%.", [N]),
    # A total with its parts in brackets.
    ("Xã, thị trấn tổ chức 19 lớp (14 lớp ở xã; 04 lớp ở thị trấn; 01 lớp ghép).", [H]),
    ("Lớp dành cho cán bộ chủ chốt: 410 người (95 cấp tỉnh và 315 cấp huyện).", [H]),
    ("Có 1.264 người tham dự (trong đó 1.018 đảng viên; 246 người chưa là đảng viên).", [H]),
    ("Hội nghị 1 (ngày 12/01/2024): kết nối trực tuyến từ Tỉnh tới 12 điểm cầu với 934 người "
     "(01 điểm cầu trung tâm huyện/151 người; 11 điểm cầu cơ sở/783 người).", [H, H]),
    ("Hội nghị được tổ chức tại 05 điểm cầu với 374 người (01 điểm cầu trung tâm/107 người; "
     "04 điểm cầu cơ sở/267 người).", [H, H]),
    ("Toàn huyện tổ chức 37 hội nghị, 118 buổi sinh hoạt chi bộ với 2.950 người tham gia (đảng viên "
     "2.204/2.260 = 97,52%; người chưa là đảng viên 746/760 = 98,16%).", [H, H, H]),
    ("Phát hành 243 tài liệu (28 đĩa ghi hình; 215 cuốn sách).", [H]),
    ("Tổ chức 22 lớp (14 lớp cho đảng viên, 08 lớp cho quần chúng).", [H]),
    ("Toàn tỉnh có 410 cán bộ chủ chốt (95 cấp tỉnh và 316 cấp huyện) tham dự.", [N]),
    ("Có 1.264 người tham dự (trong đó 1.018 đảng viên; 256 người chưa là đảng viên).", [N]),
    ("Tới 12 điểm cầu với 934 người (01 điểm cầu trung tâm huyện/151 người; 11 điểm cầu cơ sở/793 "
     "người).", [H, N]),
    # People and person-times added together.
    ("Tổng số 2.950 người tham gia (2.204 lượt đảng viên; 746 lượt người ngoài Đảng).", [N]),
    # A total followed by its parts.
    ("Tổ chức 9 hội nghị, gồm 3 hội nghị trực tiếp, 2 hội nghị trực tuyến và 4 hội nghị qua đĩa ghi "
     "hình.", [H]),
    ("Tổ chức 9 hội nghị, gồm 3 hội nghị trực tiếp, 2 hội nghị trực tuyến và 3 hội nghị qua đĩa ghi "
     "hình.", [N]),
    ("Toàn huyện tổ chức 37 hội nghị: cấp huyện 03 hội nghị; cấp xã 34 hội nghị.", [H]),
    ("Tổng số 1.264 lượt người dự, trong đó 1.000 lượt đảng viên và 264 lượt người ngoài Đảng.", [H]),
    ("Tổng số 120 người, trong đó 50 đảng viên, 60 quần chúng.", [N]),
    ("Có 263 đảng viên, trong đó 150 nam và 120 nữ.", [N]),
    ("Có 263 đảng viên, trong đó 7 đảng viên miễn sinh hoạt và 12 đảng viên đi làm ăn xa.", [H]),
    ("Toàn huyện có 410 cán bộ chủ chốt dự học. Trong đó, cấp tỉnh 95 người, cấp huyện 315 người.", [H]),
    ("Đã tổ chức 61 buổi tuyên truyền. Cụ thể: tuyên truyền miệng 45 buổi, phát thanh 6 buổi, mạng xã "
     "hội 10 buổi.", [H]),
    ("Đã tổ chức 61 buổi tuyên truyền. Cụ thể: tuyên truyền miệng 45 buổi, phát thanh 6 buổi, mạng xã "
     "hội 11 buổi.", [N]),
    ("Xã, thị trấn tổ chức 14 lớp; các trường THPT 04 lớp; Trung tâm Y tế 01 lớp, tổng cộng 19 lớp.", [H]),
    ("Xã, thị trấn tổ chức 14 lớp; các trường THPT 05 lớp; Trung tâm Y tế 01 lớp, tổng cộng 19 lớp.", [N]),
    ("Tổng cộng 605 lượt người tham dự, trong đó 495 lượt đảng viên.", [H]),
    ("Tiếp nhận 102 tài liệu, gồm 12 đĩa DVD và 90 cuốn sách.", [H]),
    # Equations.
    ("Tuyên truyền 12 + 15 + 18 = 45 buổi.", [H]),
    ("Số buổi: 12 + 15 = 28.", [N]),
    ("Số người học tập là 2.950 = 2.204 + 746.", [H]),
    ("Đảng viên học tập 95 + 315 = 410 người.", [H]),
    # Averaged rates: the whole is the rate of summed counts.
    ("Xã A có 90/100 đảng viên học tập (90%), xã B có 10/10 (100%); toàn huyện đạt 95%.", [H, H, N]),
    ("Xã A có 90/100 đảng viên học tập (90%), xã B có 10/10 (100%); toàn huyện đạt 90,91%.", [H, H, H]),
    ("Xã Hòa Bình 51/54 đảng viên, đạt 94,44%; xã Hòa Phú 52/54, đạt 96,30%. Tính chung đạt 95,37%.",
     [H, H, H]),
    ("Xã Hòa Bình 51/54 đảng viên, đạt 94,44%; thị trấn 40/40, đạt 100%. Tính chung đạt 97,22%.",
     [H, H, N]),
    # Changes in percentage points.
    ("So với năm 2024, tỷ lệ tăng từ 96,30% lên 98,15%, tăng 1,85 điểm phần trăm.", [H]),
    ("So với năm trước, tỷ lệ giảm từ 97,50% xuống 96,00%, giảm 1,50 điểm phần trăm.", [H]),
    ("So với năm 2024, tỷ lệ tăng từ 96,30% lên 98,15%, tăng 1,75 điểm phần trăm.", [N]),
    ("So với năm 2024, tỷ lệ đảng viên học tập tăng 1,85 điểm phần trăm.", [C]),
    # What is known and no more: bounds and rates alone.
    ("Cán bộ chưa là đảng viên tiếp thu đạt trên 95%.", [C]),
    ("Lớp chức sắc có trên 60 người dự, tỷ lệ tiếp thu đạt trên 90%.", [C]),
    ("Còn 2 đơn vị chưa đạt: Đảng bộ xã Hòa Bình (94,44%), Chi bộ Trường THPT Hòa An (92,86%).", [C, C]),
    ("3/5 chi, đảng bộ cơ sở có tỷ lệ đảng viên học tập đạt từ 95% trở lên.", [C]),
    ("Tỷ lệ tiếp thu đạt trên 105%.", [N]),
    # Not claims: dates, document numbers, goals, labels.
    ("Thực hiện Hướng dẫn số 12-HD/BTGTU, ngày 19/12/2023 của Ban Tuyên giáo Tỉnh ủy và Kế hoạch số "
     "87-KH/HU, ngày 27/12/2023 của Ban Thường vụ Huyện ủy.", []),
    ("Phấn đấu 100% đảng viên được học tập trong quý II/2024.", []),
    ("Hội nghị 2 (ngày 05/3/2024): hội nghị trực tiếp cho 64 đại biểu.", []),
    ("Tổ chức 03 hội nghị, gồm hội nghị trực tuyến với 88 người, hội nghị trực tiếp với 31 người.", []),
    ("Cấp huyện: 02 hội nghị/1.264 người; cấp xã: 14 hội nghị/2.015 người.", []),
]
