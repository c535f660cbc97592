//! Tasks in the full feature phase (RFC 7143 §11.3–§11.8): a SCSI Command with its
//! immediate, unsolicited and solicited Data-Out, Data-In, R2T and the SCSI Response.

use discburn_mmc::ScsiStatus;
use tracing::trace;

use crate::pdu::{self, DataIn, DataOut, Pdu, ScsiCommand, ScsiResponse, RESERVED_TAG};

use super::{proto, Dir, Session, SessionError, TaskError, TaskResult, TaskState, Tx};

impl Session {
    pub(super) fn send_command(&mut self, itt: u32) {
        let cmdsn = self.cmdsn;
        self.cmdsn = self.cmdsn.wrapping_add(1);
        let n = self.negotiated.clone();
        let exp_statsn = self.exp_statsn;
        let Some(task) = self.tasks.get_mut(&itt) else {
            return;
        };
        task.cmdsn = cmdsn;
        task.state = TaskState::Active;
        let edtl = task.edtl();
        let (lun, cdb) = (task.lun, task.cdb);
        let xmit = n.max_xmit_data_segment_length.max(512) as usize;
        let (read, write, imm_len, unsolicited) = match &mut task.dir {
            Dir::None => (false, false, 0, 0),
            Dir::In { .. } => (true, false, 0, 0),
            Dir::Out {
                data, next_offset, ..
            } => {
                let first = (n.first_burst_length as usize).min(data.len());
                let imm = if n.immediate_data { first.min(xmit) } else { 0 };
                let unsol = if n.initial_r2t { imm } else { first };
                *next_offset = unsol as u32;
                (false, true, imm, unsol)
            }
        };
        let cmd = Pdu::ScsiCommand(ScsiCommand {
            immediate: false,
            final_: unsolicited == imm_len,
            read,
            write,
            attr: 1,
            lun,
            itt,
            edtl,
            cmdsn,
            exp_statsn,
            cdb,
        });
        trace!(itt, cmdsn, edtl, "SCSI command");
        let mut pdus: Vec<(Pdu, std::ops::Range<usize>)> = vec![(cmd, 0..imm_len)];
        let mut off = imm_len;
        let mut datasn = 0;
        while off < unsolicited {
            let end = (off + xmit).min(unsolicited);
            pdus.push((
                Pdu::DataOut(DataOut {
                    final_: end == unsolicited,
                    lun,
                    itt,
                    ttt: RESERVED_TAG,
                    exp_statsn,
                    datasn,
                    offset: off as u32,
                }),
                off..end,
            ));
            datasn += 1;
            off = end;
        }
        for (p, range) in pdus {
            let bytes = match &self.tasks[&itt].dir {
                Dir::Out { data, .. } => pdu::encode_to_vec(&p, &data[range], self.digests),
                _ => pdu::encode_to_vec(&p, &[], self.digests),
            };
            let tag = if matches!(p, Pdu::DataOut(_)) {
                Some(itt)
            } else {
                None
            };
            self.tx.push_back(Tx { itt: tag, bytes });
        }
    }

    pub(super) fn handle_response(
        &mut self,
        r: ScsiResponse,
        data: &[u8],
    ) -> Result<(), SessionError> {
        let active = self
            .tasks
            .get(&r.itt)
            .is_some_and(|t| !matches!(t.state, TaskState::Queued));
        if !active {
            return Err(proto(format!("SCSI Response for unknown ITT {:#x}", r.itt)));
        }
        self.take_statsn(r.statsn, "SCSI Response")?;
        self.update_window(r.exp_cmdsn, r.max_cmdsn)?;
        if r.response != 0 {
            let why = format!("iSCSI response {:#04x} (target failure)", r.response);
            self.complete(r.itt, Err(TaskError::Target(why)));
            self.send_queued();
            return Ok(());
        }
        let sense = ScsiResponse::sense(data).to_vec();
        let Some(task) = self.tasks.get_mut(&r.itt) else {
            return Ok(());
        };
        let edtl = task.edtl() as usize;
        let residual_cap = if r.underflow {
            edtl.saturating_sub(r.residual as usize)
        } else {
            edtl
        };
        let (buf, transferred) = match &mut task.dir {
            Dir::None => (Vec::new(), 0),
            Dir::In { buf, received, .. } => (std::mem::take(buf), (*received).min(residual_cap)),
            Dir::Out { .. } => (Vec::new(), residual_cap),
        };
        let result = TaskResult {
            status: ScsiStatus::from(r.status),
            sense,
            data: buf,
            transferred,
        };
        self.complete(r.itt, Ok(result));
        self.send_queued();
        Ok(())
    }

    pub(super) fn handle_data_in(&mut self, d: DataIn, data: &[u8]) -> Result<(), SessionError> {
        let Some(task) = self.tasks.get_mut(&d.itt) else {
            return Err(proto(format!("Data-In for unknown ITT {:#x}", d.itt)));
        };
        if matches!(task.state, TaskState::Queued) {
            return Err(proto(format!("Data-In for unsent ITT {:#x}", d.itt)));
        }
        let Dir::In {
            buf,
            received,
            next_datasn,
        } = &mut task.dir
        else {
            return Err(proto(format!(
                "Data-In for ITT {:#x}, a command without a Data-In phase",
                d.itt
            )));
        };
        if d.datasn != *next_datasn {
            return Err(proto(format!(
                "Data-In DataSN {}, expected {}",
                d.datasn, next_datasn
            )));
        }
        if d.offset as usize != *received {
            return Err(proto(format!(
                "Data-In at offset {}, expected {} (DataPDUInOrder=Yes)",
                d.offset, received
            )));
        }
        let end = *received + data.len();
        if end > buf.len() {
            return Err(proto(format!(
                "Data-In of {} bytes at {} overruns the expected {} bytes",
                data.len(),
                d.offset,
                buf.len()
            )));
        }
        buf[*received..end].copy_from_slice(data);
        *received = end;
        *next_datasn = next_datasn.wrapping_add(1);
        let edtl = buf.len();
        self.update_window(d.exp_cmdsn, d.max_cmdsn)?;
        if d.has_status {
            self.take_statsn(d.statsn, "Data-In with status")?;
            let Some(task) = self.tasks.get_mut(&d.itt) else {
                return Ok(());
            };
            let Dir::In { buf, received, .. } = &mut task.dir else {
                return Ok(());
            };
            let cap = if d.underflow {
                edtl.saturating_sub(d.residual as usize)
            } else {
                edtl
            };
            let result = TaskResult {
                status: ScsiStatus::from(d.status),
                sense: Vec::new(),
                transferred: (*received).min(cap),
                data: std::mem::take(buf),
            };
            self.complete(d.itt, Ok(result));
            self.send_queued();
        }
        Ok(())
    }

    pub(super) fn handle_r2t(&mut self, r: pdu::R2t) -> Result<(), SessionError> {
        let n = self.negotiated.clone();
        let exp_statsn = self.exp_statsn;
        let Some(task) = self.tasks.get_mut(&r.itt) else {
            return Err(proto(format!("R2T for unknown ITT {:#x}", r.itt)));
        };
        match task.state {
            TaskState::Queued => return Err(proto(format!("R2T for unsent ITT {:#x}", r.itt))),
            // Aborting: the data is no longer wanted.
            TaskState::Aborting { .. } => return Ok(()),
            TaskState::Active => {}
        }
        let lun = task.lun;
        let Dir::Out {
            data,
            next_offset,
            next_r2tsn,
        } = &mut task.dir
        else {
            return Err(proto(format!(
                "R2T for ITT {:#x}, a command without a Data-Out phase",
                r.itt
            )));
        };
        if r.r2tsn != *next_r2tsn {
            return Err(proto(format!("R2TSN {}, expected {}", r.r2tsn, next_r2tsn)));
        }
        if r.offset != *next_offset {
            return Err(proto(format!(
                "R2T for offset {}, expected {} (DataSequenceInOrder=Yes)",
                r.offset, next_offset
            )));
        }
        let end = u64::from(r.offset) + u64::from(r.desired_len);
        if r.desired_len == 0 || r.desired_len > n.max_burst_length || end > data.len() as u64 {
            return Err(proto(format!(
                "R2T for {} bytes at {} (MaxBurstLength {}, transfer {})",
                r.desired_len,
                r.offset,
                n.max_burst_length,
                data.len()
            )));
        }
        *next_r2tsn = next_r2tsn.wrapping_add(1);
        *next_offset = end as u32;
        let xmit = n.max_xmit_data_segment_length.max(512) as usize;
        let (start, end) = (r.offset as usize, end as usize);
        let mut off = start;
        let mut datasn = 0;
        let mut out = Vec::new();
        while off < end {
            let seg_end = (off + xmit).min(end);
            let p = Pdu::DataOut(DataOut {
                final_: seg_end == end,
                lun,
                itt: r.itt,
                ttt: r.ttt,
                exp_statsn,
                datasn,
                offset: off as u32,
            });
            out.push(Tx {
                itt: Some(r.itt),
                bytes: pdu::encode_to_vec(&p, &data[off..seg_end], self.digests),
            });
            datasn += 1;
            off = seg_end;
        }
        self.tx.extend(out);
        Ok(())
    }
}
